"""One process, noise from micro-batches of the batch: the numbers of one step
against a direct computation, the training trajectory left untouched, and the
long-run averages against the exact full-gradient quantities of a small data set.
By default the micro-batch gradients come from the per-example Gram matrix
(README "Per-example noise"); with per_example=False (and with BatchNorm) they
are recomputed by autograd.

The exact quantities (independent of the recorder): per-example gradients x_i
of all N examples at a fixed point, mu = mean x_i (the full gradient), tr S' =
sum |x_i - mu|^2 / (N - 1). For batches of B drawn without replacement (a
shuffled epoch) cut into m micro-batches of b = B/m:
  E |h_j - g_B|^2     = tr S' (1/b - 1/B)
  E trace_sigma_est   = tr S'
  E g_sq_est          = |mu|^2 - tr S'/N,   E g_sq_est_fpc = |mu|^2
and the exact-measurement noise of a b-batch, E |g_b - mu|^2 = tr S' (1/b - 1/N).
Tolerance: 4 standard errors of the mean over the records (SE from the sample
standard deviation; the ratio's by the delta method). Within an epoch batches
are drawn without replacement, negatively correlated, so the i.i.d. SE is
conservative. The seeds are fixed, so the outcome is deterministic; the
observed |z| are at most 1.4 (one micro-batch) and 0.6 (all four), while the
uncorrected |G|^2 estimate sits 3.8 and 4.2 standard errors below |mu|^2.
"""

import numpy as np
import pytest
import torch
from torch.utils.data import TensorDataset

import _workers as w
from noisescope_torch import NoiseRecorder, measure_noise, read_log

N, B, M, EPOCHS, OFFSET = 128, 16, 4, 150, 2.0


def flat_grad(loss, params):
    return torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss, params)])


@pytest.mark.parametrize("per_example", [True, False], ids=["from-per-example-gram", "recomputed"])
def test_one_step_matches_direct_computation(tmp_path, per_example):
    """The micro-batch rows, from the per-example Gram matrix (default) or
    recomputed by autograd (per_example=False), against a direct computation."""
    model = w.make_model()
    params = list(model.parameters())
    x, y = w.make_data(14)
    recorder = NoiseRecorder(model, str(tmp_path), every=1, loss_fn=w.criterion, micro_batches=3, micro_samples=2,
                             dataset_size=1000, per_example=per_example)
    w.mse(model, (x, y)).backward()
    before = [p.grad.clone() for p in params]
    record = recorder.step(0, inputs=x, targets=y)
    recorder.close()
    assert all(torch.equal(p.grad, g) for p, g in zip(params, before))       # .grad untouched
    b, big = 14 // 3, 14
    g = flat_grad(w.mse(model, (x, y)), params)
    h = [flat_grad(w.mse(model, (x[j * b:(j + 1) * b], y[j * b:(j + 1) * b])), params) for j in range(2)]
    small_sq = float(sum(v.dot(v) for v in h)) / 2
    big_sq = float(g.dot(g))
    g_sq = (big * big_sq - b * small_sq) / (big - b)
    trace = (small_sq - big_sq) / (1 / b - 1 / big)
    want = {"noise_norms": [float((v - g).norm()) for v in h], "g_small_sq": small_sq, "g_big_sq": big_sq,
            "g_sq_est": g_sq, "trace_sigma_est": trace, "b_simple": trace / g_sq,
            "g_sq_est_fpc": g_sq + trace / 1000, "b_simple_fpc": trace / (g_sq + trace / 1000),
            "b_simple_ema": trace / g_sq}
    for key, value in want.items():
        np.testing.assert_allclose(record[key], value, rtol=1e-12, err_msg=key)
    assert (record["b_small"], record["b_big"], record["world_size"]) == (4, 14, 1)
    log = read_log(str(tmp_path))
    m = log.manifest
    assert (m["noise_reference"], m["micro_batches"], m["micro_samples"], m["dataset_size"]) == \
        ("batch-gradient", 3, 2, 1000)
    assert (m["batch_size_small"], m["batch_size_big"]) == (4, 14)
    np.testing.assert_allclose(log.noise_norms, want["noise_norms"], rtol=1e-12)   # both norms kept (B != 2b)


class DropoutBatchNorm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(w.IN, 8), torch.nn.BatchNorm1d(8), torch.nn.Tanh(),
                                       torch.nn.Dropout(0.3), torch.nn.Linear(8, w.OUT))

    def forward(self, x):
        return self.net(x)


def test_recording_leaves_the_training_trajectory_unchanged(tmp_path):
    """Dropout draws from the global RNG and BatchNorm updates running
    statistics in the extra forwards: both are restored, so training with the
    recorder is bit-identical to training without it."""
    x, y = w.make_data(8 * 12)

    def run(record):
        torch.manual_seed(5)
        model = DropoutBatchNorm().double()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        recorder = None
        if record:                 # BatchNorm: no per-example gradients, micro-batches recomputed instead
            with pytest.warns(RuntimeWarning, match="BatchNorm1d at 'net.1' mixes the examples"):
                recorder = NoiseRecorder(model, str(tmp_path / "log"), every=2, loss_fn=w.criterion,
                                         micro_batches=4, micro_samples=4, overwrite=True)
        for step in range(12):
            xb, yb = x[8 * step:8 * step + 8], y[8 * step:8 * step + 8]
            w.mse(model, (xb, yb)).backward()
            if recorder is not None:
                recorder.step(step, inputs=xb, targets=yb)
            opt.step()
            opt.zero_grad()
        if recorder is not None:
            recorder.close()
        return model.state_dict(), torch.rand(3)

    (plain, rng_plain), (recorded, rng_recorded) = run(False), run(True)
    assert torch.equal(rng_plain, rng_recorded)
    for key in plain:
        assert torch.equal(plain[key], recorded[key]), key
    assert len(read_log(str(tmp_path / "log")).noise_norms) == 6 * 4


def test_recording_step_without_the_batch_raises(tmp_path):
    model = w.make_model()
    x, y = w.make_data(8)
    recorder = NoiseRecorder(model, str(tmp_path), every=2, loss_fn=w.criterion, per_example=False)
    w.mse(model, (x, y)).backward()
    with pytest.raises(ValueError) as caught:
        recorder.step(0)
    assert str(caught.value) == ("noisescope_torch: step 0 is a recording step and one process measures noise from "
                                 "micro-batches of the batch: call recorder.step(step, inputs=x, targets=y)")
    recorder.step(1)                        # not a recording step: no batch needed
    with pytest.raises(ValueError, match="a batch of 3 examples cannot be cut into 8 micro-batches"):
        recorder.step(2, inputs=x[:3], targets=y[:3])
    recorder.close()


def exact_quantities(model, x, y):
    params = list(model.parameters())
    per_example = torch.stack([flat_grad(w.mse(model, (x[i:i + 1], y[i:i + 1])), params) for i in range(len(x))])
    mu = per_example.mean(dim=0)
    trace = float(((per_example - mu) ** 2).sum()) / (len(x) - 1)
    return mu, float(mu.dot(mu)), trace


def z_score(values, want):
    values = np.asarray(values, dtype=np.float64)
    se = values.std(ddof=1) / np.sqrt(len(values))
    return (values.mean() - want) / se, se


@pytest.fixture(scope="module", params=[1, M], ids=["one-micro-batch", "all-micro-batches"])
def long_run(request, tmp_path_factory):
    """EPOCHS shuffled epochs over N examples at a fixed point (no optimizer step)."""
    k = request.param
    model = w.make_model()
    x, y = w.make_data(N, seed=7)
    y = y + OFFSET                         # a clear mean gradient: B_simple about 7
    log_dir = str(tmp_path_factory.mktemp(f"long{k}"))
    recorder = NoiseRecorder(model, log_dir, every=1, loss_fn=w.criterion, micro_batches=M, micro_samples=k,
                             dataset_size=N, ema_decay=0.99)
    generator = torch.Generator().manual_seed(3)
    step = 0
    for _ in range(EPOCHS):
        order = torch.randperm(N, generator=generator)
        for j in range(N // B):
            idx = order[j * B:(j + 1) * B]
            w.mse(model, (x[idx], y[idx])).backward()
            recorder.step(step, inputs=x[idx], targets=y[idx])
            step += 1
            model.zero_grad(set_to_none=True)
    recorder.close()
    return model, x, y, k, read_log(log_dir)


def test_noise_norms_match_exact_full_gradient(long_run):
    model, x, y, k, log = long_run
    b = B // M
    mu, _, trace = exact_quantities(model, x, y)
    assert len(log.steps) == EPOCHS * (N // B) and len(log.noise_norms) == len(log.steps) * k
    per_record = [np.mean(np.square(r["noise_norms"])) for r in log.steps]
    z, se = z_score(per_record, trace * (1 / b - 1 / B))
    assert abs(z) < 4 and se < 0.05 * trace * (1 / b - 1 / B), (z, se)
    # The package's exact measurement at the same point: its full gradient is mu,
    # and its b-batch noise |g_b - mu|^2 averages tr S' (1/b - 1/N); rescaled by
    # (1/b - 1/N)/(1/b - 1/B), the recorder's mean square estimates the same.
    exact = measure_noise(model, w.mse, TensorDataset(x, y), b, seed=11, samples=1600)
    torch.testing.assert_close(exact.full_gradient, mu, rtol=1e-12, atol=1e-14)
    scale = (1 / b - 1 / N) / (1 / b - 1 / B)
    z_exact, _ = z_score(np.square(exact.noise_norms), trace * (1 / b - 1 / N))
    assert abs(z_exact) < 4, z_exact
    recorded = np.asarray(per_record) * scale
    diff = recorded.mean() - np.square(exact.noise_norms).mean()
    se_diff = np.hypot(recorded.std(ddof=1) / np.sqrt(len(recorded)),
                       np.square(exact.noise_norms).std(ddof=1) / np.sqrt(len(exact.noise_norms)))
    assert abs(diff) < 4 * se_diff, (diff, se_diff)


def test_two_batch_estimates_match_exact_full_gradient(long_run):
    model, x, y, k, log = long_run
    _, g_sq, trace = exact_quantities(model, x, y)
    z, se = z_score(log.column("trace_sigma_est"), trace)
    assert abs(z) < 4 and se < 0.05 * trace, ("trace", z, se)
    z, se = z_score(log.column("g_sq_est_fpc"), g_sq)
    assert abs(z) < 4 and se < 0.05 * g_sq, ("g_sq_fpc", z, se)
    z, _ = z_score(log.column("g_sq_est"), g_sq - trace / N)
    assert abs(z) < 4, ("g_sq", z)
    assert trace / N > 2 * se                  # without the correction |G|^2 would read visibly low
    # B_simple: ratio of the long-run means, and the final EMA (weights
    # beta^(T-t)), each against tr S'/|mu|^2 with a delta-method standard error.
    s, g = log.column("trace_sigma_est"), log.column("g_sq_est_fpc")
    beta = log.manifest["ema_decay"]
    for name, weights in (("mean", np.ones(len(s))), ("ema", beta ** np.arange(len(s))[::-1])):
        ratio = np.sum(weights * s) / np.sum(weights * g)
        se = np.sqrt(np.sum(weights ** 2 * (s - ratio * g) ** 2)) / abs(np.sum(weights * g))
        assert abs(ratio - trace / g_sq) < 4 * se, (name, ratio, trace / g_sq, se)
        if name == "ema":
            np.testing.assert_allclose(log.steps[-1]["b_simple_fpc_ema"], ratio, rtol=1e-9)
        else:
            assert se < 0.07 * trace / g_sq
