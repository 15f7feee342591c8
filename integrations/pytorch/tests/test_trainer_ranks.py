"""The trainer callbacks under several processes, 2 gloo ranks on CPU, against
one process on the same examples (follows test_distributed.py: mp.spawn,
a free port; the ranks get the variables torchrun sets):

- Hugging Face Trainer (accelerate wraps the model in DDP; defaults:
  max_grad_norm 1.0, which clips .grad before the callback sees it): per-device
  batch 4, and 2 with gradient_accumulation_steps=2, against batch 8 in one
  process. The 8 examples are the whole data set, so every step takes all 8
  whatever the samplers' order; per step the sorted samples must agree.
- Lightning under strategy "ddp" (gradient_clip_val, accumulate_grad_batches
  2), per-device batch 4, against devices=1 with batch 8.

Float64 models: observed differences ~5e-16 (summation order); asserted 1e-12.
The scalars reach the loggers on rank 0 only, at the recorded steps."""

import os

import numpy as np
import pytest

import _trainer_workers as tw
import _workers as w
from _scalar_logs import expected_windows, tensorboard_scalars
from noisescope_torch import read_log
from test_integrations import need


def same_samples_per_step(got, want, steps, per_step):
    for s in range(steps):
        a = np.sort(got.per_example[got.per_example_steps == s])
        b = np.sort(want.per_example[want.per_example_steps == s])
        assert a.size == b.size == per_step
        np.testing.assert_allclose(a, b, rtol=1e-12, err_msg=f"step {s}")


def test_hf_trainer_two_processes_match_one(tmp_path):
    need("transformers", "transformers")
    need("tensorboard", "tensorboard")
    w.spawn(tw.hf_worker, tmp_path, 2)
    tw.hf_run(str(tmp_path / "one"), per_device=8, accumulation=1)
    one = read_log(str(tmp_path / "one" / "noise"))
    assert one.manifest["world_size"] == 1 and one.manifest["per_example"]["clipped_steps"] == 3
    for run in ("ranks", "ranks_accum"):
        log = read_log(str(tmp_path / run / "noise"))
        assert log.complete and log.manifest["world_size"] == 2 and log.manifest["ddp"]
        assert log.manifest["batch_size_small"] == 4 and [s["examples"] for s in log.steps] == [8, 8, 8]
        same_samples_per_step(log, one, 3, 8)
        # .grad was clipped before the callback: the samples use the mean gradient before clipping.
        assert log.manifest["per_example"]["clipped_steps"] == 3
        board = tensorboard_scalars(tmp_path / run / "tb")         # rank 0's TensorBoardCallback
        for step, values in expected_windows(str(tmp_path / run / "noise"), 1):
            assert board["train/noisescope/noise_q99"][step] == pytest.approx(values["noise_q99"], rel=1e-6)
            assert board["train/noisescope/b_simple_ema"][step] == pytest.approx(values["b_simple_ema"], rel=1e-6)
        assert sorted(board["train/noisescope/noise_q99"]) == [0, 1, 2]


def test_lightning_ddp_two_processes_match_one(tmp_path):
    need("lightning", "lightning")
    need("tensorboard", "tensorboard")
    w.spawn(tw.lightning_worker, tmp_path / "ranks", 2)
    tw.lightning_run(str(tmp_path / "one"), devices=1, per_device=8)
    log, one = read_log(str(tmp_path / "ranks" / "noise")), read_log(str(tmp_path / "one" / "noise"))
    assert log.complete and log.manifest["world_size"] == 2 and log.manifest["ddp"]
    assert [s["examples"] for s in log.steps] == [s["examples"] for s in one.steps] == [16, 16, 16]
    same_samples_per_step(log, one, 3, 16)
    board = tensorboard_scalars(tmp_path / "ranks" / "tb")
    for step, values in expected_windows(str(tmp_path / "ranks" / "noise"), 1):
        for key, value in values.items():
            assert board["noisescope/" + key][step] == pytest.approx(value, rel=1e-6), (key, step)
    assert not os.path.exists(tmp_path / "ranks" / "tb" / "run" / "version_1")     # one writer: rank 0
