"""Per-tensor and per-group noise (NoiseRecorder(per_layer=True), the default):
the default grouping rule on a small transformer, the numbers of one step
against a direct per-tensor computation with autograd, the additivity of
squared norms (1e-10 relative), the NPY file, user groups and their errors,
and equality with two DDP ranks (test_distributed.py)."""

import numpy as np
import pytest
import torch
import torch.nn as nn

from noisescope_torch import NoiseRecorder, read_log
from noisescope_torch._layers import assign_groups

V, D, T = 17, 8, 6


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(D)
        self.attn = nn.MultiheadAttention(D, 2, batch_first=True)
        self.ln_2 = nn.LayerNorm(D)
        self.mlp = nn.Sequential(nn.Linear(D, 2 * D), nn.GELU(), nn.Linear(2 * D, D))

    def forward(self, x):
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(V, D)
        self.pos = nn.Parameter(torch.zeros(T, D))       # a bare parameter: "other" by the rule
        self.block = Block()
        self.norm_f = nn.LayerNorm(D)
        self.head = nn.Linear(D, V)

    def forward(self, x):
        return self.head(self.norm_f(self.block(self.tok(x) + self.pos)))


def lm_loss(logits, y):
    return nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1))


def data(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, V, (n, T), generator=g)
    return x, torch.roll(x, -1, dims=1)


def make():
    torch.manual_seed(0)
    return TinyLM().double()


def test_default_rule_on_a_small_transformer():
    model = make()
    names = [n for n, _ in model.named_parameters()]
    groups, index = assign_groups(model, names)
    got = {n: groups[i] for n, i in zip(names, index)}
    assert groups == ["embeddings", "attention", "mlp", "norms", "head", "other"]
    assert got["tok.weight"] == "embeddings" and got["pos"] == "other"
    assert got["block.attn.in_proj_weight"] == got["block.attn.out_proj.bias"] == "attention"
    assert got["block.mlp.0.weight"] == got["block.mlp.2.bias"] == "mlp"
    assert got["block.ln_1.weight"] == got["norm_f.bias"] == "norms"
    assert got["head.weight"] == got["head.bias"] == "head"


def flat_grads(loss, params):
    return [g.detach() for g in torch.autograd.grad(loss, params)]


def test_one_step_against_direct_per_tensor_computation(tmp_path):
    model = make()
    named = list(model.named_parameters())
    params = [p for _, p in named]
    x, y = data(12)
    recorder = NoiseRecorder(model, str(tmp_path), every=1, loss_fn=lm_loss, micro_batches=4, micro_samples=3)
    lm_loss(model(x), y).backward()
    record = recorder.step(0, inputs=x, targets=y)
    recorder.close()
    g = flat_grads(lm_loss(model(x), y), params)
    h = [flat_grads(lm_loss(model(x[j * 3:(j + 1) * 3]), y[j * 3:(j + 1) * 3]), params) for j in range(3)]
    noise_t = np.array([[float(((a - b) ** 2).sum()) for a, b in zip(hj, g)] for hj in h])     # rows x tensors
    small_t = np.array([[float((a ** 2).sum()) for a in hj] for hj in h]).mean(axis=0)
    big_t = np.array([float((a ** 2).sum()) for a in g])
    log = read_log(str(tmp_path))
    groups = log.groups
    member = np.array([[groups[t["group"]] == name for t in log.manifest["tensors"]] for name in groups], float)
    assert [t["name"] for t in log.manifest["tensors"]] == [n for n, _ in named]
    np.testing.assert_allclose(record["noise_sq_by_tensor"], noise_t.mean(axis=0), rtol=1e-10)
    np.testing.assert_allclose(record["g_small_sq_by_tensor"], small_t, rtol=1e-10)
    np.testing.assert_allclose(record["g_big_sq_by_tensor"], big_t, rtol=1e-10)
    np.testing.assert_allclose(record["noise_norms_by_group"], np.sqrt(noise_t @ member.T), rtol=1e-10)
    b, big = 3, 12
    small_g, big_g = member @ small_t, member @ big_t
    g_sq = (big * big_g - b * small_g) / (big - b)
    trace = (small_g - big_g) / (1 / b - 1 / big)
    np.testing.assert_allclose(record["g_sq_est_by_group"], g_sq, rtol=1e-9)
    np.testing.assert_allclose(record["trace_sigma_est_by_group"], trace, rtol=1e-9)
    np.testing.assert_allclose(record["b_simple_by_group"], trace / g_sq, rtol=1e-9)
    np.testing.assert_allclose(record["b_simple_ema_by_group"], trace / g_sq, rtol=1e-9)   # one record
    # Additivity: squared per-tensor norms sum to the whole norm's square; groups likewise.
    whole_sq = np.square(record["noise_norms"])
    assert abs(sum(record["noise_sq_by_tensor"]) / whole_sq.mean() - 1) < 1e-10
    np.testing.assert_allclose(np.square(record["noise_norms_by_group"]).sum(axis=1), whole_sq, rtol=1e-10)
    assert abs(sum(record["g_big_sq_by_tensor"]) / record["g_big_sq"] - 1) < 1e-10
    # noise_norms_by_group.npy: one row per sample of noise_norms.npy, columns = manifest groups.
    assert log.by_group.shape == (3, len(groups))
    np.testing.assert_allclose(log.by_group, record["noise_norms_by_group"], rtol=0)
    np.testing.assert_allclose(np.sqrt((log.by_group ** 2).sum(axis=1)), log.noise_norms, rtol=1e-10)


def test_additivity_over_a_short_run_and_reference_mode(tmp_path):
    model = make()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, y = data(16 * 6, seed=1)
    rec = NoiseRecorder(model, str(tmp_path / "micro"), every=2, loss_fn=lm_loss, micro_batches=8, micro_samples=2)
    for s in range(6):
        xb, yb = x[16 * s:16 * (s + 1)], y[16 * s:16 * (s + 1)]
        lm_loss(model(xb), yb).backward()
        rec.step(s, inputs=xb, targets=yb)
        opt.step()
        opt.zero_grad()
    rec.close()
    log = read_log(str(tmp_path / "micro"))
    for step in log.steps:
        whole = np.square(step["noise_norms"])
        assert abs(sum(step["noise_sq_by_tensor"]) / whole.mean() - 1) < 1e-10
        assert abs(sum(step["g_small_sq_by_tensor"]) / step["g_small_sq"] - 1) < 1e-10
        np.testing.assert_allclose(np.square(step["noise_norms_by_group"]).sum(axis=1), whole, rtol=1e-10)
    assert log.by_group.shape == (len(log.noise_norms), len(log.groups))
    ref = [torch.zeros_like(p) for p in model.parameters()]
    rec = NoiseRecorder(model, str(tmp_path / "ref"), every=1, reference=ref)
    lm_loss(model(x[:8]), y[:8]).backward()
    record = rec.step(0)
    rec.close()
    assert abs(sum(record["noise_sq_by_tensor"]) / record["noise_norms"][0] ** 2 - 1) < 1e-10
    written = read_log(str(tmp_path / "ref")).steps[0]                 # no batch gradient: NaN -> null
    assert written["b_simple_by_group"] is None and written["g_big_sq_by_group"][0] is None


def test_user_groups_and_their_errors(tmp_path):
    model = make()
    rec = NoiseRecorder(model, str(tmp_path / "a"), loss_fn=lm_loss,
                        groups={"blocks": ["block"], "ends": ["tok.weight", "head"]})
    rec.close()
    m = read_log(str(tmp_path / "a")).manifest
    assert m["groups"] == ["blocks", "ends", "other"] and m["group_rule"] == "user"
    by_name = {t["name"]: m["groups"][t["group"]] for t in m["tensors"]}
    assert by_name["block.attn.in_proj_weight"] == "blocks" and by_name["head.bias"] == "ends"
    assert by_name["norm_f.weight"] == by_name["pos"] == "other"
    with pytest.raises(ValueError, match="matches no trainable parameter"):
        NoiseRecorder(model, str(tmp_path / "b"), loss_fn=lm_loss, groups={"x": ["blok"]})
    with pytest.raises(ValueError, match="is in groups"):
        NoiseRecorder(model, str(tmp_path / "c"), loss_fn=lm_loss, groups={"x": ["block"], "y": ["block.mlp"]})


def test_per_layer_off_writes_the_old_layout(tmp_path):
    rec = NoiseRecorder(make(), str(tmp_path), loss_fn=lm_loss, per_layer=False)
    rec.close()
    log = read_log(str(tmp_path))
    assert log.manifest["groups"] is None and log.by_group is None and log.groups == []
    assert log.manifest["files"]["noise_norms_by_group"] is None
