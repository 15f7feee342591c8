"""noisescope_torch.optim against hand-computed updates and an independent
float64 reference.

1. The shared fixture fixtures/optimizer_single_step.json holds the Swift
   tests' hand-computed cases (OptimizerSingleStepTests.swift); every case runs
   here with the Swift settings mapped to the PyTorch arguments and the kind's
   PyTorch defaults standing in for the Swift defaults (so the defaults are
   checked too). Tolerance 1e-12 absolute, the Swift tests' own (the fixture
   says why).
2. Closed-form cases the Swift tests lack (eps > 0, tau0 > 0, param groups).
3. A numpy re-implementation of the element-wise updates (flat vectors,
   float64) over several steps of several tensors and param groups.
4. DDP: two gloo ranks take exactly the steps of one process on the whole batch.
"""

import json
import math
import os

import numpy as np
import pytest
import torch

import _workers as w
from noisescope_torch import optim

FIXTURE = json.load(open(os.path.join(os.path.dirname(__file__), "fixtures", "optimizer_single_step.json")))
TOL = FIXTURE["tolerance_abs"]

CLASSES = {"acclip": optim.ACClip, "adam-norm": optim.ClipAdamNorm, "adagrad-norm": optim.ClipAdaGradNorm,
           "clip-adam-norm": optim.ClipAdamNorm, "clip-adagrad-norm": optim.ClipAdaGradNorm,
           "delayed-clip-adam-norm": optim.DelayedClipAdamNorm,
           "delayed-clip-adagrad-norm": optim.DelayedClipAdaGradNorm}


def torch_kwargs(kind, settings):
    """Swift OptimizerSettings names -> the PyTorch class's arguments (unset ones keep the PyTorch defaults)."""
    cls = CLASSES[kind]
    kw = {}
    names = {"learningRate": "lr", "epsilon": "eps", "weightDecay": "weight_decay", "alpha": "alpha",
             "clipThreshold": "clip", "initialAdaptiveScale": "tau0" if kind == "acclip" else "b0"}
    for key, value in settings.items():
        if key in names:
            kw[names[key]] = value
    if "beta1" in settings or "beta2" in settings:
        probe = cls([torch.zeros(1, requires_grad=True)])
        b1, b2 = probe.defaults["betas"]
        kw["betas"] = (settings.get("beta1", b1), settings.get("beta2", b2))
    if kind in ("adam-norm", "adagrad-norm"):
        kw["clip"] = None
    return cls, kw


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=[c["name"] for c in FIXTURE["cases"]])
def test_swift_single_step_fixture(case):
    cls, kw = torch_kwargs(case["kind"], case["settings"])
    x = torch.tensor(case["start"], dtype=torch.float64, requires_grad=True)
    opt = cls([x], **kw)
    for number, step in enumerate(case["steps"], start=1):
        x.grad = torch.tensor(step["gradient"], dtype=torch.float64)
        opt.step()
        np.testing.assert_allclose(x.detach().numpy(), step["expected"], rtol=0, atol=TOL,
                                   err_msg=f"{case['name']} step {number}")
        if "scale_squared" in step:
            assert abs(opt.scale_sq - step["scale_squared"]) <= TOL, (case["name"], number)


def test_fixture_covers_every_swift_kind_with_these_updates():
    assert {c["kind"] for c in FIXTURE["cases"]} == set(CLASSES)


def test_defaults_are_the_swift_defaults():
    p = [torch.zeros(1, requires_grad=True)]
    d = optim.ACClip(p).defaults
    assert (d["lr"], d["betas"], d["eps"], d["weight_decay"], d["alpha"], d["tau0"]) == (1e-4, (0.9, 0.99), 1e-5, 1e-5, 1, 0)
    d = optim.ClipAdamNorm(p).defaults
    assert (d["lr"], d["betas"], d["eps"], d["weight_decay"], d["clip"], d["b0"]) == (0.01, (0.9, 0.999), 1e-8, 0, 1, 1)
    d = optim.ClipAdaGradNorm(p).defaults
    assert (d["lr"], d["betas"][0], d["eps"], d["clip"], d["b0"], d["delayed"]) == (0.01, 0, 1e-8, 1, 1, False)
    assert optim.DelayedClipAdamNorm(p).defaults["delayed"] is True


def test_acclip_with_epsilon_and_initial_threshold_by_hand():
    # tau0 = 2, alpha = 1, b2 = 0.5: tau = 0.5*2 + 0.5*|g| = [2.5, 3, 1.5]; b1 = 0.5: m = [1.5, -2, 0.5];
    # eps = 0.5: |m| + eps = [2, 2.5, 1] <= tau everywhere -> unclipped, x <- x - 0.1 m.
    x = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
    opt = optim.ACClip([x], lr=0.1, betas=(0.5, 0.5), eps=0.5, weight_decay=0, tau0=2)
    x.grad = torch.tensor([3.0, -4.0, 1.0], dtype=torch.float64)
    opt.step()
    np.testing.assert_allclose(x.detach().numpy(), [0.85, -1.8, 0.45], rtol=0, atol=TOL)
    # Step 2, g = [-7, 0, 0]: tau = 0.5*[2.5, 3, 1.5] + 0.5*[7, 0, 0] = [4.75, 1.5, 0.75];
    # m = 0.5*[1.5, -2, 0.5] + 0.5*[-7, 0, 0] = [-2.75, -1, 0.25]; |m| + eps = [3.25, 1.5, 0.75]: no clip.
    x.grad = torch.tensor([-7.0, 0.0, 0.0], dtype=torch.float64)
    opt.step()
    np.testing.assert_allclose(x.detach().numpy(), [0.85 + 0.275, -1.8 + 0.1, 0.45 - 0.025], rtol=0, atol=TOL)
    # Step 3, g = [0, 0, 10]: tau_3 = 0.5*0.75 + 5 = 5.375, m_3 = 0.125 + 5 = 5.125; |m|+eps = 5.625 > tau:
    # factor 5.375/5.625; tau_1 = 2.375, m_1 = -1.375, |m|+eps = 1.875: no clip.
    x.grad = torch.tensor([0.0, 0.0, 10.0], dtype=torch.float64)
    before = x.detach().clone()
    opt.step()
    want = before.numpy() - 0.1 * np.array([-1.375, -0.375, 5.125 * 5.375 / 5.625])
    np.testing.assert_allclose(x.detach().numpy(), want, rtol=0, atol=TOL)


def test_norm_is_over_all_tensors_and_groups_by_hand():
    # Two tensors in two groups (lr 1 and 0.5): g = [3] and [-4], ||g|| = 5 > c = 2.5 -> g~ = [1.5], [-2];
    # AdaGrad-Norm, b0 = 1.5: s = 2.25 + 6.25 = 8.5.
    a = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([-2.0], dtype=torch.float64, requires_grad=True)
    opt = optim.ClipAdaGradNorm([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=1, eps=0, clip=2.5, b0=1.5)
    a.grad, b.grad = torch.tensor([3.0], dtype=torch.float64), torch.tensor([-4.0], dtype=torch.float64)
    opt.step()
    assert abs(a.item() - (1 - 1.5 / math.sqrt(8.5))) <= TOL
    assert abs(b.item() - (-2 + 0.5 * 2 / math.sqrt(8.5))) <= TOL
    assert abs(opt.scale_sq - 8.5) <= TOL


def test_optimizer_wide_settings_are_refused_per_group():
    a, b = (torch.zeros(1, requires_grad=True) for _ in range(2))
    with pytest.raises(ValueError, match="optimizer-wide"):
        optim.ClipAdamNorm([{"params": [a]}, {"params": [b], "clip": 2.0}])
    with pytest.raises(ValueError, match="alpha must be in"):
        optim.ACClip([a], alpha=3)
    with pytest.raises(ValueError, match="b0 or eps"):
        optim.DelayedClipAdaGradNorm([a], b0=0, eps=0)


def reference_steps(kind, x0, grads, lr, wd, b1, b2, eps, clip=None, b0=1.0, delayed=False, alpha=1.0, tau0=0.0):
    """The element-wise definitions on flat float64 numpy vectors (lr, wd: per coordinate)."""
    x, m = x0.copy(), np.zeros_like(x0)
    tau_power = np.full_like(x0, tau0 ** alpha)
    s = b0 * b0
    for g in grads:
        if kind == "acclip":
            m = b1 * m + (1 - b1) * g
            tau_power = b2 * tau_power + (1 - b2) * np.abs(g) ** alpha
            tau = tau_power ** (1 / alpha)
            size = np.abs(m) + eps
            u = np.where(size > tau, tau / size, 1.0) * m
        else:
            norm = np.sqrt(np.sum(g * g))
            f = min(1.0, clip / norm) if clip is not None else 1.0
            new = s + f * f * norm * norm if kind == "adagrad" else b2 * s + (1 - b2) * f * f * norm * norm
            m = b1 * m + (1 - b1) * f * g
            u = m / (np.sqrt(s if delayed else new) + eps)
            s = new
        x = x - lr * (u + wd * x)
    return x


@pytest.mark.parametrize("kind,cls,kw", [
    ("acclip", optim.ACClip, dict(betas=(0.8, 0.9), eps=1e-3, alpha=1.0, tau0=0.1)),
    ("acclip", optim.ACClip, dict(betas=(0.8, 0.9), eps=1e-3, alpha=1.5, tau0=0.0)),
    ("adam", optim.ClipAdamNorm, dict(betas=(0.9, 0.95), eps=1e-6, clip=0.7, b0=0.3)),
    ("adam", optim.DelayedClipAdamNorm, dict(betas=(0.9, 0.95), eps=1e-6, clip=0.7, b0=0.3)),
    ("adagrad", optim.ClipAdaGradNorm, dict(betas=(0.5, 1.0), eps=1e-6, clip=0.7, b0=0.3)),
    ("adagrad", optim.DelayedClipAdaGradNorm, dict(betas=(0.0, 1.0), eps=1e-6, clip=None, b0=0.3)),
])
def test_against_numpy_reference_several_tensors_and_groups(kind, cls, kw):
    rng = np.random.default_rng(3)
    shapes = [(3, 4), (4,), (2, 2, 2)]
    tensors = [torch.tensor(rng.normal(size=s), requires_grad=True) for s in shapes]
    groups = [{"params": tensors[:2], "lr": 0.1, "weight_decay": 0.01}, {"params": tensors[2:], "lr": 0.03}]
    opt = cls(groups, weight_decay=0.0, **kw)
    x0 = np.concatenate([t.detach().numpy().ravel() for t in tensors])
    lr = np.concatenate([np.full(12, 0.1), np.full(4, 0.1), np.full(8, 0.03)])
    wd = np.concatenate([np.full(16, 0.01), np.zeros(8)])
    grads = [rng.standard_t(1.5, size=x0.size) for _ in range(6)]      # heavy-tailed, some clipped
    for g in grads:
        offset = 0
        for t in tensors:
            t.grad = torch.tensor(g[offset:offset + t.numel()].reshape(t.shape))
            offset += t.numel()
        opt.step()
    options = {k: v for k, v in kw.items() if k != "betas"}
    want = reference_steps(kind, x0, grads, lr, wd, kw["betas"][0], kw["betas"][1],
                           delayed=cls.__name__.startswith("Delayed"), **options)
    got = np.concatenate([t.detach().numpy().ravel() for t in tensors])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_state_dict_round_trip_continues_identically():
    def run(split):
        torch.manual_seed(0)
        p = torch.nn.Parameter(torch.randn(5, dtype=torch.float64))
        opt = optim.ClipAdamNorm([p], lr=0.1, clip=0.5)
        for s in range(4):
            if s == split:
                state = opt.state_dict()
                opt = optim.ClipAdamNorm([p], lr=0.1, clip=0.5)
                opt.load_state_dict(state)
            p.grad = torch.arange(5, dtype=torch.float64) * (s + 1)
            opt.step()
        return p.detach().clone(), opt.scale_sq
    assert torch.equal(run(-1)[0], run(2)[0]) and run(-1)[1] == run(2)[1]


def test_two_ddp_ranks_take_the_steps_of_one_process(tmp_path):
    import _optim_workers as ow
    w.spawn(ow.ddp_optimizer_worker, tmp_path, 2)
    for kind in ow.KINDS:
        model = w.make_model()
        ow.train(kind, model, 0, 1)
        single = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
        r0, r1 = (torch.load(tmp_path / f"{kind}.rank{r}.pt") for r in (0, 1))
        assert torch.equal(r0, r1), kind                        # the ranks agree exactly
        np.testing.assert_allclose(r0.numpy(), single.numpy(), rtol=1e-10, atol=1e-12, err_msg=kind)
