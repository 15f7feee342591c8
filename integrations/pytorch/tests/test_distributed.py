"""Two real gloo ranks against one process computing the same quantities on
the same data and order (per-rank noise, two-batch estimates and per-example
noise): DDP (plain, with gradient accumulation under
no_sync(), with a user comm hook passed through, in float32) and a plain
module whose gradients the loop averages itself; the estimates against a
linear regression with known |G|^2 and tr(Sigma); measure_noise against a
single-process full gradient; and the refusal of mismatched ranks.

Tolerances: the float64 runs agree with the float64 reference to rtol 1e-12
(observed: at most ~1.3e-15; summation order and fused add kernels, amplified
a little by the cancellation in the two-batch estimates); the float32 DDP run
agrees with the float64 reference to rtol 1e-5 on noise norms and squared
norms and 1e-4 on the |G|^2, tr(Sigma) and B_simple estimates and their EMAs
(observed: at most ~2.3e-6, float32 rounding of a 9-step trajectory).
"""

import os

import numpy as np
import pytest
import torch

import _workers as w
from noisescope_torch import read_log, read_npy_strict

WORLD = 2


def reference_run():
    """Emulates both ranks in one process: their two minibatch gradients, the
    mean (what DDP all-reduces), the statistics, then an SGD step on the mean."""
    model = w.make_model(torch.float64)
    params = list(model.parameters())
    x, y = w.make_data(w.STEPS * WORLD * w.BATCH, torch.float64)
    records, ema_g, ema_s, n = [], 0.0, 0.0, 0
    for step in range(w.STEPS):
        grads, examples = [], []
        for rank in range(WORLD):
            idx = w.batch_indices(step, rank, WORLD, w.BATCH)
            g = torch.autograd.grad(w.mse(model, (x[idx], y[idx])), params)
            grads.append(torch.cat([t.reshape(-1) for t in g]))
            for i in range(idx.start, idx.stop):        # per-example gradients, rank 0's examples first
                g = torch.autograd.grad(w.mse(model, (x[i:i + 1], y[i:i + 1])), params)
                examples.append(torch.cat([t.reshape(-1) for t in g]))
        mean = sum(grads) / WORLD
        if step % w.EVERY == 0:
            b_small, b_big = w.BATCH, WORLD * w.BATCH
            g_small_sq = float(sum(g.dot(g) for g in grads)) / WORLD
            g_big_sq = float(mean.dot(mean))
            g_sq = (b_big * g_big_sq - b_small * g_small_sq) / (b_big - b_small)
            trace = (g_small_sq - g_big_sq) / (1 / b_small - 1 / b_big)
            n += 1
            ema_g = w.EMA * ema_g + (1 - w.EMA) * g_sq
            ema_s = w.EMA * ema_s + (1 - w.EMA) * trace
            corr = 1 - w.EMA ** n
            records.append({"step": step, "noise_norms": [float((g - mean).norm()) for g in grads],
                            "g_small_sq": g_small_sq, "g_big_sq": g_big_sq, "g_sq_est": g_sq,
                            "trace_sigma_est": trace, "b_simple": trace / g_sq,
                            "g_sq_est_ema": ema_g / corr, "trace_sigma_est_ema": ema_s / corr,
                            "b_simple_ema": ema_s / ema_g,
                            "per_example": (torch.stack(examples) - mean).norm(dim=1).tolist()})
        with torch.no_grad():
            offset = 0
            for p in params:
                p.add_(mean[offset:offset + p.numel()].view_as(p), alpha=-w.LR)
                offset += p.numel()
    return records


@pytest.fixture(scope="module")
def ddp_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    w.spawn(w.ddp_equivalence_worker, out, WORLD)
    results = [torch.load(os.path.join(out, f"result.rank{r}.pt"), weights_only=False) for r in range(WORLD)]
    return out, results, reference_run()


FIELDS = ["g_small_sq", "g_big_sq", "g_sq_est", "trace_sigma_est", "b_simple",
          "g_sq_est_ema", "trace_sigma_est_ema", "b_simple_ema"]


@pytest.mark.parametrize("run,rtol,rtol_b", [("ddp64", 1e-12, 1e-12), ("ddp64_accum", 1e-12, 1e-12),
                                              ("ddp64_userhook", 1e-12, 1e-12), ("manual64", 1e-12, 1e-12),
                                              ("ddp32", 1e-5, 1e-4)])
def test_two_ranks_match_single_process(ddp_runs, run, rtol, rtol_b):
    out, results, reference = ddp_runs
    expected_steps = [r["step"] for r in reference]
    assert expected_steps == list(range(0, w.STEPS, w.EVERY))
    log = read_log(os.path.join(out, run))
    assert log.complete and log.manifest["world_size"] == WORLD
    assert log.manifest["batch_size_small"] == w.BATCH and log.manifest["batch_size_big"] == WORLD * w.BATCH
    assert [s["step"] for s in log.steps] == expected_steps
    for got, want in zip(log.steps, reference):
        np.testing.assert_allclose(got["noise_norms"], want["noise_norms"], rtol=rtol)
        for field in FIELDS:
            tol = rtol_b if "b_simple" in field or "est" in field else rtol
            np.testing.assert_allclose(got[field], want[field], rtol=tol, err_msg=f"{run} step {got['step']} {field}")
        assert got["b_small"] == w.BATCH and got["b_big"] == WORLD * w.BATCH
    # step() returns the record it completes: each is completed one step() call
    # later (the all_gather overlaps the next step), the last one by close().
    for rank in range(WORLD):
        returned = results[rank][run]["records"]
        assert [r["step"] for r in returned] == expected_steps[:-1]
        assert [r["noise_norms"] for r in returned] == [s["noise_norms"] for s in log.steps[:-1]]
    # Per-rank files: each rank's own norms; merged: one per step (two ranks' norms are equal).
    for rank in range(WORLD):
        want = [r["noise_norms"][rank] for r in reference]
        np.testing.assert_allclose(log.per_rank[rank], want, rtol=rtol)
        np.testing.assert_allclose(results[rank][run]["rank_norms"], want, rtol=rtol)
    np.testing.assert_allclose(read_npy_strict(os.path.join(out, run, "noise_norms.npy")),
                               [r["noise_norms"][0] for r in reference], rtol=rtol)


@pytest.mark.parametrize("run,rtol", [("ddp64", 1e-12), ("ddp64_accum", 1e-12), ("ddp64_userhook", 1e-12),
                                      ("manual64", 1e-12), ("ddp32", 1e-4)])
def test_two_ranks_per_example_noise_matches_one_process(ddp_runs, run, rtol):
    """Every example of both ranks against the mean over all of them (the
    all-reduced gradient), gathered on rank 0 rank by rank, equals one process
    on the same examples; with accumulation (two micro-steps under no_sync())
    the step's examples are those of both micro-steps."""
    out, _, reference = ddp_runs
    log = read_log(os.path.join(out, run))
    per_step = WORLD * w.BATCH
    np.testing.assert_allclose(log.per_example, np.concatenate([r["per_example"] for r in reference]), rtol=rtol)
    assert log.per_example_steps.tolist() == np.repeat([r["step"] for r in reference], per_step).tolist()
    assert [s["examples"] for s in log.steps] == [per_step] * len(reference)
    assert log.manifest["per_example"]["samples"] == per_step * len(reference)


def test_trace_estimate_is_mean_noise_over_batch_factor(ddp_runs):
    """A consistency identity: mean_r |g_r - g|^2 = |G_small|^2 - |G_big|^2, so
    tr(Sigma)_est = mean_r noise_r^2 / (1/B_small - 1/B_big)."""
    out, _, _ = ddp_runs
    for s in read_log(os.path.join(out, "ddp64")).steps:
        mean_sq = np.mean(np.square(s["noise_norms"]))
        np.testing.assert_allclose(s["trace_sigma_est"], mean_sq / (1 / s["b_small"] - 1 / s["b_big"]), rtol=1e-12)


def test_estimates_recover_known_gradient_and_trace(ddp_runs):
    """At a fixed point of a linear regression with known |G|^2 and tr(Sigma),
    the means of the per-step estimates over 400 steps land within 5 standard
    errors of the truth (had the hook seen the mean instead of the local
    gradient, tr(Sigma) would read 0)."""
    out, _, _ = ddp_runs
    log = read_log(os.path.join(out, "truth"))
    assert log.complete and len(log.steps) == w.TRUTH_STEPS
    w_sq = float(np.sum(np.square(w.TRUTH_W)))
    truth = {"g_sq_est": 4 * w_sq,
             "trace_sigma_est": 4 * ((w.TRUTH_D + 1) * w_sq + w.TRUTH_SIGMA ** 2 * w.TRUTH_D)}
    for field, want in truth.items():
        values = log.column(field)
        se = values.std(ddof=1) / np.sqrt(len(values))
        assert abs(values.mean() - want) < 5 * se, (field, values.mean(), want, se)
        assert se < 0.25 * want                       # the check has teeth
    assert 0.5 < log.steps[-1]["b_simple_ema"] / (truth["trace_sigma_est"] / truth["g_sq_est"]) < 2


def test_measure_full_gradient_matches_single_process(tmp_path):
    from torch.utils.data import TensorDataset
    from noisescope_torch import measure_noise

    w.spawn(w.measure_worker, tmp_path, WORLD)
    ranks = [torch.load(os.path.join(tmp_path, f"measure.rank{r}.pt"), weights_only=False) for r in range(WORLD)]

    model = w.make_model(torch.float64)
    params = list(model.parameters())
    x, y = w.make_data(w.MEASURE_N, torch.float64, seed=5)
    full = torch.cat([g.reshape(-1) for g in torch.autograd.grad(w.mse(model, (x, y)), params)])
    # Independent minibatch order: a seeded randperm per epoch, last partial batch dropped.
    gen = torch.Generator().manual_seed(w.MEASURE_SEED)
    norms, per_epoch = [], w.MEASURE_N // w.MEASURE_B
    while len(norms) < w.MEASURE_SAMPLES:
        perm = torch.randperm(w.MEASURE_N, generator=gen)
        for k in range(per_epoch):
            if len(norms) == w.MEASURE_SAMPLES:
                break
            idx = perm[k * w.MEASURE_B:(k + 1) * w.MEASURE_B]
            g = torch.cat([t.reshape(-1) for t in torch.autograd.grad(w.mse(model, (x[idx], y[idx])), params)])
            norms.append(float((g - full).norm()))

    for rank, got in enumerate(ranks):
        # Full gradient: rtol 1e-12 (a different float64 summation order).
        torch.testing.assert_close(got["full_gradient"], full, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(got["noise_norms"], norms, rtol=1e-10)
        np.testing.assert_allclose(got["rank_noise_norms"], norms[rank::WORLD], rtol=1e-10)
        assert got["examples"] == w.MEASURE_N
    log = read_log(os.path.join(tmp_path, "measure"))
    assert log.complete and log.manifest["mode"] == "measure" and log.manifest["world_size"] == WORLD
    np.testing.assert_allclose(log.noise_norms, norms, rtol=1e-10)
    np.testing.assert_allclose(log.manifest["full_gradient_norm"], float(full.norm()), rtol=1e-12)

    # The same call in one process (no process group) gives the same numbers.
    single = measure_noise(model, w.mse, TensorDataset(x, y), w.MEASURE_B, seed=w.MEASURE_SEED,
                           log_dir=str(tmp_path / "single"), samples=w.MEASURE_SAMPLES,
                           full_batch_size=w.MEASURE_FULL_B)
    torch.testing.assert_close(single.full_gradient, full, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(single.noise_norms, norms, rtol=1e-10)
    assert all(p.grad is None for p in params)  # .grad untouched


def test_ranks_with_different_parameter_counts_are_refused(tmp_path):
    w.spawn(w.mismatch_worker, tmp_path, WORLD)
    n0 = sum(p.numel() for p in w.make_model(hidden=w.HIDDEN).parameters())
    n1 = sum(p.numel() for p in w.make_model(hidden=w.HIDDEN + 1).parameters())
    for rank in range(WORLD):
        lines = open(os.path.join(tmp_path, f"messages.rank{rank}.txt")).read().splitlines()
        assert lines[0] == (f"recorder: noisescope_torch: parameter count differs across ranks "
                            f"(rank 0: {n0:,}, rank 1: {n1:,}); NoiseRecorder needs the same parameter count "
                            f"on every rank")
        assert lines[1].startswith("measure: noisescope_torch: parameter count differs across ranks")
        assert lines[2] == "allreduce after: 2.0"
    assert not os.path.exists(os.path.join(tmp_path, "rec", "manifest.json"))


def test_one_process_micro_batches_match_two_ranks(ddp_runs, tmp_path):
    """One process, batch = both ranks' minibatches, cut into 2 micro-batches
    (the ranks' halves), both recomputed: every number equals the 2-rank DDP
    run's (same B_small, B_big, noise against the same mean)."""
    from noisescope_torch import NoiseRecorder

    out, _, reference = ddp_runs
    model = w.make_model(torch.float64)
    x, y = w.make_data(w.STEPS * WORLD * w.BATCH, torch.float64)
    opt = torch.optim.SGD(model.parameters(), lr=w.LR)
    recorder = NoiseRecorder(model, str(tmp_path), every=w.EVERY, loss_fn=w.criterion, micro_batches=WORLD,
                             micro_samples=WORLD, ema_decay=w.EMA)
    for step in range(w.STEPS):
        idx = slice(step * WORLD * w.BATCH, (step + 1) * WORLD * w.BATCH)   # rank 0's block, then rank 1's
        w.mse(model, (x[idx], y[idx])).backward()
        recorder.step(step, inputs=x[idx], targets=y[idx])
        opt.step()
        opt.zero_grad()
    recorder.close()
    single, ddp = read_log(str(tmp_path)), read_log(os.path.join(out, "ddp64"))
    assert single.manifest["noise_reference"] == "batch-gradient"
    assert (single.manifest["batch_size_small"], single.manifest["batch_size_big"]) == (w.BATCH, WORLD * w.BATCH)
    assert [s["step"] for s in single.steps] == [r["step"] for r in reference]
    for got, want, other in zip(single.steps, reference, ddp.steps):
        np.testing.assert_allclose(got["noise_norms"], want["noise_norms"], rtol=1e-12)
        np.testing.assert_allclose(got["noise_norms"], other["noise_norms"], rtol=1e-12)
        assert (got["b_small"], got["b_big"]) == (other["b_small"], other["b_big"])
        for field in FIELDS:
            np.testing.assert_allclose(got[field], want[field], rtol=1e-12, err_msg=f"step {got['step']} {field}")
            np.testing.assert_allclose(got[field], other[field], rtol=1e-12, err_msg=f"step {got['step']} {field}")
    # Two halves of one batch: the merged sample keeps one norm per step, as with two ranks.
    np.testing.assert_allclose(single.noise_norms, ddp.noise_norms, rtol=1e-12)


LAYER_FIELDS = ["noise_sq_by_tensor", "g_small_sq_by_tensor", "g_big_sq_by_tensor", "noise_norms_by_group",
                "g_sq_est_by_group", "trace_sigma_est_by_group", "b_simple_by_group", "b_simple_ema_by_group"]


@pytest.mark.parametrize("run", ["ddp64", "ddp64_accum", "manual64"])
def test_per_layer_fields_of_two_ranks_match_the_single_process(ddp_runs, run, tmp_path):
    """The DDP comm hook (per bucket) and the all-reduce path give the same
    per-tensor numbers as one process with the ranks' halves as micro-batches."""
    from noisescope_torch import NoiseRecorder

    out, _, _ = ddp_runs
    model = w.make_model(torch.float64)
    x, y = w.make_data(w.STEPS * WORLD * w.BATCH, torch.float64)
    opt = torch.optim.SGD(model.parameters(), lr=w.LR)
    recorder = NoiseRecorder(model, str(tmp_path), every=w.EVERY, loss_fn=w.criterion, micro_batches=WORLD,
                             micro_samples=WORLD, ema_decay=w.EMA)
    for step in range(w.STEPS):
        idx = slice(step * WORLD * w.BATCH, (step + 1) * WORLD * w.BATCH)
        w.mse(model, (x[idx], y[idx])).backward()
        recorder.step(step, inputs=x[idx], targets=y[idx])
        opt.step()
        opt.zero_grad()
    recorder.close()
    single, ddp = read_log(str(tmp_path)), read_log(os.path.join(out, run))
    assert ddp.manifest["tensors"] == single.manifest["tensors"] and ddp.groups == single.groups == ["other"]
    for got, want in zip(ddp.steps, single.steps):
        for field in LAYER_FIELDS:
            np.testing.assert_allclose(got[field], want[field], rtol=1e-10, err_msg=f"{run} {field}")
        whole = np.square(got["noise_norms"])
        assert abs(sum(got["noise_sq_by_tensor"]) / whole.mean() - 1) < 1e-10
    np.testing.assert_allclose(ddp.by_group[:, 0], ddp.noise_norms, rtol=1e-10)
