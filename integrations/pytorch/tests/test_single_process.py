"""One process: the estimates, the world-size-1 recorder, the file formats,
and the reader's refusals."""

import json
import os
import re

import numpy as np
import pytest
import torch
from torch.utils.data import TensorDataset

import _workers as w
from test_micro_batches import DropoutBatchNorm
from noisescope_torch import (SCHEMA, NoiseRecorder, SchemaError, TwoBatchEMA, measure_noise, read_log,
                              two_batch_estimates)


def strict_json(text):
    return json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(f"{c} in JSON")))


def test_two_batch_estimates_known_values():
    # B_small 2, B_big 8, |G_small|^2 5, |G_big|^2 2: |G|^2 = (16 - 10)/6 = 1, tr(S) = 3/(1/2 - 1/8) = 8.
    assert two_batch_estimates(5.0, 2.0, 2, 8) == pytest.approx((1.0, 8.0), rel=1e-15)
    # Noise-free: both batch sizes see |G|^2 exactly, tr(Sigma) = 0.
    assert two_batch_estimates(3.0, 3.0, 4, 16) == pytest.approx((3.0, 0.0))
    with pytest.raises(ValueError):
        two_batch_estimates(1.0, 1.0, 4, 4)
    ema = TwoBatchEMA(beta=0.5)
    ema.update(2.0, 10.0)
    assert (ema.g_sq, ema.trace, ema.b_simple) == pytest.approx((2.0, 10.0, 5.0))  # bias-corrected
    ema.update(4.0, 10.0)
    # (0.25*2 + 0.5*4)/(1 - 0.25) = 10/3
    assert ema.g_sq == pytest.approx(10 / 3) and ema.b_simple == pytest.approx(3.0)


def train(recorder, model, steps, batch=5, lr=0.05):
    x, y = w.make_data(steps * batch)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    squared = []
    for step in range(steps):
        w.mse(model, (x[step * batch:(step + 1) * batch], y[step * batch:(step + 1) * batch])).backward()
        squared.append(float(sum(p.grad.double().pow(2).sum() for p in model.parameters())))
        recorder.step(step, inputs=x[step * batch:(step + 1) * batch], targets=y[step * batch:(step + 1) * batch])
        opt.step()
        opt.zero_grad()
    recorder.close()
    return squared


def test_one_process_without_loss_fn_or_reference_is_refused(tmp_path):
    """Micro-batch noise (per_example=False, or a model without per-example
    gradients) needs loss_fn= or reference=; per-example noise needs neither."""
    model = w.make_model()
    with pytest.raises(ValueError) as caught:
        NoiseRecorder(model, str(tmp_path), every=3, batch_size=5, per_example=False)
    assert str(caught.value) == ("noisescope_torch: one process needs loss_fn= (and step(s, inputs=x, targets=y)) "
                                 "to measure noise from micro-batches, or reference= a fixed gradient; without "
                                 "either there is no noise sample")
    assert not os.path.exists(tmp_path / "manifest.json")   # refused before writing anything
    with pytest.raises(ValueError) as caught:
        NoiseRecorder(DropoutBatchNorm().double(), str(tmp_path), batch_size=5)
    assert str(caught.value).endswith("without either there is no noise sample (per-example noise is not available "
                                      "for this model: BatchNorm1d at 'net.1' mixes the examples of a batch)")
    with pytest.raises(ValueError, match="micro_batches must be at least 2"):
        NoiseRecorder(model, str(tmp_path), loss_fn=w.criterion, micro_batches=1)
    with pytest.raises(ValueError, match=r"micro_samples must be in 1..micro_batches=8, got 9"):
        NoiseRecorder(model, str(tmp_path), loss_fn=w.criterion, micro_samples=9)
    with pytest.raises(ValueError, match="batch_size 3 cannot be cut into micro_batches=8"):
        NoiseRecorder(model, str(tmp_path), batch_size=3, loss_fn=w.criterion, per_example=False)
    with pytest.raises(ValueError, match="either loss_fn= .* or reference="):
        NoiseRecorder(model, str(tmp_path), loss_fn=w.criterion, reference=torch.zeros(56))
    recorder = NoiseRecorder(model, str(tmp_path), every=3, batch_size=5)       # per-example: no loss_fn needed
    x, y = w.make_data(5)
    w.mse(model, (x, y)).backward()
    recorder.step(0)
    recorder.close()
    assert len(read_log(str(tmp_path)).per_example) == 5


def test_single_process_with_reference_gradient(tmp_path):
    model = w.make_model()
    x, y = w.make_data(40)
    ref = measure_noise(model, w.mse, TensorDataset(x, y), 5, seed=0, samples=4).full_gradient
    recorder = NoiseRecorder(model, str(tmp_path / "log"), every=1, batch_size=5, reference=ref)
    params = list(model.parameters())
    expected = []
    for step in range(4):
        idx = slice(5 * step, 5 * step + 5)
        w.mse(model, (x[idx], y[idx])).backward()
        g = torch.cat([p.grad.reshape(-1) for p in params])
        expected.append(float((g - ref).norm()))
        recorder.step()                                   # consecutive numbering by default
        for p in params:
            p.grad = None                                 # lr 0: the reference stays exact
    recorder.close()
    log = read_log(str(tmp_path / "log"))
    assert log.manifest["noise_reference"] == "user-reference"
    np.testing.assert_allclose(log.noise_norms, expected, rtol=1e-12)
    np.testing.assert_allclose(log.per_rank[0], expected, rtol=1e-12)
    np.testing.assert_allclose(log.column("noise_norm"), expected, rtol=1e-12)


def test_npy_header_is_the_strict_one(tmp_path):
    model = w.make_model()
    recorder = NoiseRecorder(model, str(tmp_path), every=1, loss_fn=w.criterion, micro_batches=5, micro_samples=2)
    train(recorder, model, 3)
    data = open(tmp_path / "noise_norms.npy", "rb").read()
    assert data[:8] == b"\x93NUMPY\x01\x00"
    length = int.from_bytes(data[8:10], "little")
    header = data[10:10 + length].decode("latin-1")
    assert re.fullmatch(r"\{'descr': '<f8', 'fortran_order': False, 'shape': \(6,\), \} *\n", header), header
    assert (10 + length) % 64 == 0 and len(data) == 10 + length + 6 * 8


def test_existing_log_is_refused_unless_overwrite(tmp_path):
    model = w.make_model()
    NoiseRecorder(model, str(tmp_path), every=1, loss_fn=w.criterion).close()
    with pytest.raises(FileExistsError, match="already holds a noise log"):
        NoiseRecorder(model, str(tmp_path), every=1, loss_fn=w.criterion)
    NoiseRecorder(model, str(tmp_path), every=1, loss_fn=w.criterion, overwrite=True).close()


def test_exception_inside_context_leaves_incomplete_manifest(tmp_path):
    model = w.make_model()
    with pytest.raises(KeyError):
        with NoiseRecorder(model, str(tmp_path), every=1, loss_fn=w.criterion):
            raise KeyError("boom")
    manifest = strict_json(open(tmp_path / "manifest.json").read())
    assert manifest["complete"] is False and "KeyError" in manifest["error"]


def test_mismatched_schema_version_is_refused(tmp_path):
    model = w.make_model()
    NoiseRecorder(model, str(tmp_path), every=1, loss_fn=w.criterion).close()
    path = tmp_path / "manifest.json"
    manifest = strict_json(path.read_text())
    assert manifest["schema"] == SCHEMA == "noisescope-log/1"
    manifest["schema"] = "noisescope-log/2"
    path.write_text(json.dumps(manifest))
    with pytest.raises(SchemaError) as caught:
        read_log(str(tmp_path))
    message = str(caught.value)
    assert "\n" not in message
    assert message == (f"{path}: log schema is 'noisescope-log/2', but this noisescope_torch reads only "
                       f"'noisescope-log/1'; read it with a matching noisescope_torch version or record it again")


def test_reader_refuses_other_bad_input(tmp_path):
    with pytest.raises(SchemaError, match="no manifest.json"):
        read_log(str(tmp_path))
    model = w.make_model()
    NoiseRecorder(model, str(tmp_path), every=1, loss_fn=w.criterion).close()
    np.save(tmp_path / "noise_norms.rank0.npy", np.ones(3, dtype="<f4"))
    with pytest.raises(SchemaError, match="not a 1-D little-endian float64 array"):
        read_log(str(tmp_path))
    os.remove(tmp_path / "noise_norms.rank0.npy")
    with open(tmp_path / "steps.jsonl", "a") as f:
        f.write('{"step": 1, "noise_norm": NaN}\n')
    with pytest.raises(SchemaError, match="steps.jsonl line 1: not valid JSON"):
        read_log(str(tmp_path))
