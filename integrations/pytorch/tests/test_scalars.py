"""The scalars of scalars.py in a raw loop's SummaryWriter (read back with
TensorBoard's event reader): each window's quantiles, B_simple EMA and layer
group shares against the same numbers computed from the log files; the
verdict's scalars from a stand-in binary (its arguments checked: the log
directory as it is) and from the real one (skipped only where it is absent);
a missing binary (quantiles still logged, one warning, the reason as text);
the verdict in a background thread. TensorBoard stores scalars as float32:
values read back are compared to 1e-6 relative, the returned dicts exactly."""

import os
import shutil
import sys

import numpy as np
import pytest
import torch
from torch import nn

from noisescope_torch import NoiseRecorder, check, read_log
from noisescope_torch.scalars import CODES, NoiseScalars
from _scalar_logs import expected_windows, fake_binary

BINARY = os.environ.get("NOISESCOPE_BIN") or shutil.which("noisescope")
BINARY = BINARY if BINARY and os.path.isfile(BINARY) else None


class Net(nn.Module):
    """Three layer groups by name: embeddings, mlp, head."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.embed, self.mlp, self.head = nn.Linear(5, 8), nn.Linear(8, 8), nn.Linear(8, 2)

    def forward(self, x):
        return self.head(torch.tanh(self.mlp(torch.tanh(self.embed(x)))))


def train(recorder, sink, steps=10, batch=8, seed=0):
    """A plain loop feeding each step's record to ``sink`` (update), then ``sink.close()``."""
    model = recorder._module
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(steps * batch, 5, generator=g, dtype=torch.float64)
    scale = 1 + 3 * torch.rand(steps * batch, 1, generator=g, dtype=torch.float64)
    y = torch.randn(steps * batch, 2, generator=g, dtype=torch.float64) * scale
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    out = []
    for s in range(steps):
        idx = slice(s * batch, (s + 1) * batch)
        ((model(x[idx]) - y[idx]) ** 2).mean().backward()
        out.append(sink.update(recorder.step(s)))
        opt.step()
        opt.zero_grad()
    out.append(sink.close())
    return out


def events(directory):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(str(directory), size_guidance={"scalars": 0, "tensors": 0})
    acc.Reload()
    return acc


def test_summary_writer_gets_each_windows_numbers(tmp_path, monkeypatch):
    pytest.importorskip("tensorboard", reason="tensorboard is not installed (pip install tensorboard)")
    from torch.utils.tensorboard import SummaryWriter
    from noisescope_torch.integrations.tensorboard import NoiseScopeTensorBoard

    monkeypatch.setenv("NOISESCOPE_BIN", fake_binary(tmp_path))
    recorder = NoiseRecorder(Net().double(), str(tmp_path / "log"), every=1)
    writer = SummaryWriter(str(tmp_path / "tb"))
    board = NoiseScopeTensorBoard(recorder, writer, window=4, verdict_every=8, background=False)
    returned = [r for r in train(recorder, board) if r]
    writer.close()
    want = expected_windows(str(tmp_path / "log"), 4)          # steps 0-3, 4-7, 8-9 (at close)
    assert [s for s, _ in want] == [3, 7, 9] and len(returned) == 3
    acc = events(tmp_path / "tb")
    for (step, values), got in zip(want, returned):
        assert set(values) | {"verdict_code", "verdict_samples", "alpha", "alpha_low", "alpha_high"} >= \
            {k[len("noisescope/"):] for k in got}
        for key, value in values.items():
            assert got["noisescope/" + key] == pytest.approx(value, rel=1e-12), key
            logged = {e.step: e.value for e in acc.Scalars("noisescope/" + key)}
            assert logged[step] == pytest.approx(value, rel=1e-6), key
        assert sum(v for k, v in got.items() if "/share/" in k) == pytest.approx(1, rel=1e-12)
        assert set(k for k in got if "/share/" in k) == {"noisescope/share/" + g for g in ("embeddings", "mlp", "head")}
    # The verdict ran at the 8th recorded step (window 2) and at close (window 3), on the log directory as it is.
    assert ["noisescope/verdict_code" in got for got in returned] == [False, True, True]
    for got in returned[1:]:
        assert (got["noisescope/verdict_code"], got["noisescope/alpha"], got["noisescope/alpha_low"],
                got["noisescope/alpha_high"], got["noisescope/verdict_samples"]) == (CODES["heavy"], 3.5, 2.5, 4.75, 77)
    assert [e.step for e in acc.Scalars("noisescope/verdict_code")] == [7, 9]
    assert (tmp_path / "fake-args.txt").read_text().splitlines() == \
        [f"check {tmp_path / 'log'} --json --bootstrap 0"] * 2
    texts = acc.Tensors("noisescope/verdict/text_summary")
    assert [t.step for t in texts] == [7] and texts[0].tensor_proto.string_val[0].decode() == "heavy: stand-in"


def test_missing_binary_logs_quantiles_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "noisescope", None)             # no noisescope wheel either
    monkeypatch.setenv("NOISESCOPE_BIN", str(tmp_path / "nowhere" / "noisescope"))
    recorder = NoiseRecorder(Net().double(), str(tmp_path / "log"), every=1)
    scalars = NoiseScalars(recorder, window=5, verdict_every=2, background=False)
    with pytest.warns(RuntimeWarning, match="no tail verdict in the logged scalars .*NOISESCOPE_BIN=") as caught:
        returned = [r for r in train(recorder, scalars) if r]
    assert len([w for w in caught if "no tail verdict" in str(w.message)]) == 1
    want = expected_windows(str(tmp_path / "log"), 5)
    assert len(returned) == 2 and not any("noisescope/verdict_code" in r for r in returned)
    for (_, values), got in zip(want, returned):
        assert got["noisescope/noise_q99"] == pytest.approx(values["noise_q99"], rel=1e-12)
    assert scalars.why_no_verdict.startswith("NoisescopeNotFound: noisescope_torch: NOISESCOPE_BIN=")
    assert read_log(str(tmp_path / "log")).complete                 # training and the log unaffected


def test_background_verdict_arrives_and_close_waits(tmp_path, monkeypatch):
    monkeypatch.setenv("NOISESCOPE_BIN", fake_binary(tmp_path, verdict="light"))
    recorder = NoiseRecorder(Net().double(), str(tmp_path / "log"), every=1)
    scalars = NoiseScalars(recorder, window=100, verdict_every=3)     # one window: everything at close
    returned = [r for r in train(recorder, scalars) if r]
    assert len(returned) == 1 and returned[0]["noisescope/verdict_code"] == CODES["light"] == 0
    assert scalars.verdict.verdict == "light"
    calls = (tmp_path / "fake-args.txt").read_text().splitlines()
    assert 2 <= len(calls) <= 4                                       # steps 3, 6, 9 while training (if free), close


def test_several_ranks_log_on_rank_zero_only(tmp_path):
    recorder = NoiseRecorder(Net().double(), str(tmp_path / "log"), every=1)
    scalars = NoiseScalars(recorder, window=1, verdict_every=0)
    recorder.rank = 1                                                 # as on another rank
    scalars.active = recorder.rank == 0
    assert [r for r in train(recorder, scalars, steps=3) if r] == []


@pytest.mark.skipif(BINARY is None, reason="noisescope binary absent (set NOISESCOPE_BIN or put it on PATH)")
def test_real_verdict_reads_the_per_example_noise(tmp_path):
    """The real binary on the log directory: it reads the per-example samples
    (n = all of them, not the micro-batch norms) and the scalars are its numbers."""
    recorder = NoiseRecorder(Net().double(), str(tmp_path / "log"), every=1)
    scalars = NoiseScalars(recorder, window=100, verdict_every=1000)  # only the verdict at close
    last = [r for r in train(recorder, scalars, steps=60, batch=10) if r][-1]
    log = read_log(str(tmp_path / "log"))
    direct = check(str(tmp_path / "log"), bootstrap=0)
    assert direct.n == len(log.per_example) == 600 and len(log.noise_norms) == 480     # 8 micro-batches a step
    assert last["noisescope/verdict_samples"] == 600
    assert last["noisescope/verdict_code"] == CODES[direct.verdict]
    evidence = direct.extra.get("evidence") or {}
    if "alpha" in evidence:
        assert last["noisescope/alpha"] == evidence["alpha"]
