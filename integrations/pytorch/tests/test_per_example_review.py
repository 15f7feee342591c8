"""The review's reproducers (one process, float64): a batch that is not
dimension 0 is skipped or refused with its reason, never recorded wrong;
recording never changes the shapes user code sees nor the training; a
torch.func module with dropout falls back to micro-batch noise and the dense
schedule ends."""

import json
import os
import warnings

import numpy as np
import torch
from torch import nn

from noisescope_torch import NoiseRecorder


def manifest(path):
    with open(os.path.join(path, "manifest.json")) as f:
        return json.load(f)


def records(path):
    with open(os.path.join(path, "steps.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def per_example_file(path):
    name = os.path.join(path, "noise_per_example.npy")
    return np.load(name) if os.path.exists(name) else np.zeros(0)


def test_sequence_first_input_is_skipped_with_its_reason(tmp_path):
    """Embedding -> Linear -> Linear fed (T=6, B=4) with batch_size=4: the hooks
    see 6 "examples"; the step is skipped with the reason (never 6 wrong
    samples), and since dimension 0 of the inputs is not the batch, no
    micro-batch noise either; the dense phase ends after 10 skipped steps."""
    torch.manual_seed(0)
    b, t = 4, 6
    model = nn.Sequential(nn.Embedding(50, 16), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 50)).double()
    ce = nn.CrossEntropyLoss()
    loss_fn = lambda out, y: ce(out.reshape(-1, 50), y.reshape(-1))  # noqa: E731
    recorder = NoiseRecorder(model, str(tmp_path), batch_size=b, loss_fn=loss_fn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for s in range(12):
            x, y = torch.randint(0, 50, (t, b)), torch.randint(0, 50, (t, b))
            model.zero_grad()
            loss_fn(model(x), y).backward()
            assert recorder.step(s, inputs=x, targets=y) is None
            if s == 10:
                assert not recorder.will_record_next
        recorder.close()
    pe = manifest(str(tmp_path))["per_example"]
    assert pe["enabled"] and pe["samples"] == 0 and pe["recorded_steps"] == 0
    assert pe["skipped_steps"]["failed"] == 11                  # steps 0..9 (dense), then step 10 only
    assert "saw 6 examples" in pe["skip_reason"] and "batch has 4" in pe["skip_reason"]
    assert per_example_file(str(tmp_path)).size == 0


def encoder(batch_first, dropout):
    torch.manual_seed(0)

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(50, 16)
            layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=dropout, batch_first=batch_first)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")     # enable_nested_tensor with batch_first=False
                self.enc = nn.TransformerEncoder(layer, 1)
            self.head = nn.Linear(16, 50)

        def forward(self, x):
            return self.head(self.enc(self.emb(x)))
    return M().double()


def seq_loss(out, y):
    return nn.functional.cross_entropy(out.reshape(-1, 50), y.reshape(-1))


def test_sequence_first_transformer_is_refused_at_construction(tmp_path):
    """TransformerEncoder(batch_first=False) with T == B == 4, where the shares
    per position add up to .grad as per-example ones would: per-example noise
    is refused at construction, in one line naming batch_first=True."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        recorder = NoiseRecorder(encoder(False, 0.0), str(tmp_path), batch_size=4, loss_fn=seq_loss,
                                 micro_batches=2)
    assert not recorder.per_example
    assert "batch_first=False" in recorder.per_example_reason and "batch_first=True" in recorder.per_example_reason
    assert any("batch_first=True" in str(w.message) for w in caught)
    recorder.close()
    assert manifest(str(tmp_path))["per_example"] == {"enabled": False, "reason": recorder.per_example_reason}


class Query(nn.Module):
    """Attention pooling with a learned (1, D) query projected by a Linear."""

    def __init__(self, d=16):
        super().__init__()
        self.query = nn.Parameter(torch.randn(1, d))
        self.wq, self.head = nn.Linear(d, d), nn.Linear(d, 3)

    def forward(self, x):
        q = self.wq(self.query)
        att = (x @ q.T).softmax(dim=1)
        return self.head((att * x).sum(1))


class Flat(nn.Module):
    """Tokens looked up flat: emb(x.reshape(-1)).reshape(B, T, D)."""

    def __init__(self, v=30, d=16):
        super().__init__()
        self.emb, self.head, self.d = nn.Embedding(v, d), nn.Linear(d, 3), d

    def forward(self, x):
        return self.head(self.emb(x.reshape(-1)).reshape(x.shape[0], x.shape[1], self.d).mean(1))


def train(make, batch, path, steps=4):
    """Losses of ``steps`` SGD steps, with a recorder in ``path`` (or none)."""
    torch.manual_seed(0)
    model = make().double()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    ce = nn.CrossEntropyLoss()
    recorder = None if path is None else NoiseRecorder(model, path, batch_size=8, loss_fn=ce, micro_batches=4)
    g = torch.Generator().manual_seed(1)
    losses = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for s in range(steps):
            x, y = batch(g), torch.randint(0, 3, (8,), generator=g)
            opt.zero_grad()
            loss = ce(model(x), y)
            loss.backward()
            losses.append(loss.item())
            if recorder is not None:
                recorder.step(s, inputs=x, targets=y)
            opt.step()
        if recorder is not None:
            recorder.close()
    return losses


def check_unchanged_training(tmp_path, make, batch, why):
    plain = train(make, batch, None)
    recorded = train(make, batch, str(tmp_path))
    assert recorded == plain                                       # bit-identical
    pe = manifest(str(tmp_path))["per_example"]
    assert pe["enabled"] is False and why in pe["reason"]          # not per-example: said why, in the manifest
    rows = records(str(tmp_path))
    assert [r["step"] for r in rows] == [0] and all(np.isfinite(r["noise_norm"]) for r in rows)  # micro-batch noise


def test_learned_query_trains_unchanged(tmp_path):
    check_unchanged_training(tmp_path, Query, lambda g: torch.randn(8, 5, 16, generator=g, dtype=torch.float64),
                             "wq (Linear) saw 1 examples where other modules saw 8")


def test_flat_embedding_trains_unchanged(tmp_path):
    check_unchanged_training(tmp_path, Flat, lambda g: torch.randint(0, 30, (8, 5), generator=g),
                             "emb (Embedding) saw 40 examples where other modules saw 8")


def test_dropout_in_torch_func_module_falls_back_to_micro_batches(tmp_path):
    """TransformerEncoderLayer(batch_first=True, dropout=0.1), B=4, T=6: its
    torch.func replay cannot draw the backward's dropout masks; per-example
    noise is switched off at step 0 with the reason, micro-batch noise is
    recorded (micro_batches cut down to the batch of 4), and the schedule is
    every 10 steps, not dense."""
    model = encoder(True, 0.1)
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    recorder = NoiseRecorder(model, str(tmp_path), batch_size=4, loss_fn=seq_loss)
    g = torch.Generator().manual_seed(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for s in range(12):
            x, y = torch.randint(0, 50, (4, 6), generator=g), torch.randint(0, 50, (4, 6), generator=g)
            opt.zero_grad()
            seq_loss(model(x), y).backward()
            recorder.step(s, inputs=x, targets=y)
            opt.step()
        recorder.close()
    log = manifest(str(tmp_path))
    assert log["per_example"]["enabled"] is False
    assert "switched off at step 0" in log["per_example"]["reason"] and "randomness" in log["per_example"]["reason"]
    assert log["schedule"]["kind"] == "every" and log["micro_batches"] == 4
    rows = records(str(tmp_path))
    assert [r["step"] for r in rows] == [0, 10]
    assert len(recorder.noise_norms) > 0 and np.isfinite(recorder.noise_norms).all()
