"""FSDP2 (torch.distributed.fsdp.fully_shard) on CPU with 2 gloo ranks: the
per-example noise needs only each rank's activations and output gradients
(the hooks run on the unsharded forward), and gbar is the reduced, sharded
.grad gathered whole; each rank's row (|g_r - gbar|, |g_r|^2, ...) comes from
its examples' shares, since FSDP never forms a local gradient. The same
training on the same examples under DDP must give the same samples and
fields: the tests' MLP (ghost and materialised linear paths), the same with
two accumulated micro-steps (no gradient sync on the first), and a model
with an Embedding and a LayerNorm. Float64; asserted to 1e-12 relative
(observed ~4e-16; 4e-15 on the EMA ratio), the EMA'd B_simple to 1e-10."""

import os

import numpy as np
import pytest

import _fsdp_workers as fw
import _workers as w
from noisescope_torch import read_log
from test_distributed import FIELDS, LAYER_FIELDS, reference_run

pytest.importorskip("torch.distributed.fsdp", reason="torch without torch.distributed.fsdp")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from torch.distributed.fsdp import fully_shard  # noqa: F401  (FSDP2 present in this torch)
    out = tmp_path_factory.mktemp("fsdp")
    w.spawn(fw.fsdp_worker, out, 2)
    return out


@pytest.mark.parametrize("run,other", [("fsdp64", "ddp64"), ("fsdp64_accum", "ddp64"), ("seq_fsdp", "seq_ddp")])
def test_fsdp_ranks_give_the_samples_of_ddp(runs, run, other):
    got, want = read_log(str(runs / run)), read_log(str(runs / other))
    assert got.complete and got.manifest["fsdp"] is True and got.manifest["ddp"] is False
    assert "fsdp" not in want.manifest and want.manifest["ddp"] is True
    assert got.manifest["noise_reference"] == "mean-over-ranks" and got.manifest["world_size"] == 2
    assert [s["step"] for s in got.steps] == [s["step"] for s in want.steps] == list(range(0, w.STEPS, w.EVERY))
    assert len(got.per_example) == 2 * w.BATCH * len(got.steps)
    np.testing.assert_allclose(got.per_example, want.per_example, rtol=1e-12)
    np.testing.assert_array_equal(got.per_example_steps, want.per_example_steps)
    for a, b in zip(got.steps, want.steps):
        np.testing.assert_allclose(a["noise_norms"], b["noise_norms"], rtol=1e-12)
        for field in FIELDS:
            np.testing.assert_allclose(a[field], b[field], rtol=1e-10 if "ema" in field or "est" in field or
                                       "b_simple" in field else 1e-12, err_msg=f"{run} {field}")
        for field in LAYER_FIELDS:
            np.testing.assert_allclose(a[field], b[field], rtol=1e-10, err_msg=f"{run} {field}")
    np.testing.assert_allclose(got.noise_norms, want.noise_norms, rtol=1e-12)
    def rules(log):
        return [(m["module"], m["rule"], m["tensors"]) for m in log.manifest["per_example"]["modules"]]
    assert rules(got) == rules(want)                       # the same rule and path for every tensor
    assert {r for _, r, _ in rules(got)} == ({"embedding", "norm", "linear"} if run.startswith("seq") else {"linear"})


def test_fsdp_samples_equal_one_process_autograd(runs):
    """And both equal explicit per-example autograd in one process (test_distributed.reference_run)."""
    log = read_log(str(runs / "fsdp64"))
    np.testing.assert_allclose(log.per_example, np.concatenate([r["per_example"] for r in reference_run()]),
                               rtol=1e-12)


def test_fsdp_refuses_what_it_cannot_record(tmp_path):
    w.spawn(fw.refusal_worker, tmp_path, 2)
    for rank in range(2):
        lines = open(os.path.join(tmp_path, f"messages.rank{rank}.txt")).read().splitlines()
        assert lines[0].startswith("batchnorm: noisescope_torch: under fully_shard (FSDP2) NoiseRecorder records "
                                   "per-example noise only") and "BatchNorm1d" in lines[0]
        assert lines[1] == ("attention: noisescope_torch: under fully_shard (FSDP2) per-example noise needs every "
                            "module to have its own rule; 0 would need torch.func on sharded parameters")
