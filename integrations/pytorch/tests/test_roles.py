"""The parts NoiseRecorder and measure_noise share, one role each (issue 13,
item 7): the one manifest writer, the log directory's preparation, the
parameter helpers, and the record maths and rank-merge rule, which need no
process group."""

import json
import math
import os

import numpy as np

import pytest
import torch
from torch.utils.data import TensorDataset

import _workers as w
from noisescope_torch import NoiseRecorder, TwoBatchEMA, measure_noise, merge_rank_norms, read_log
from noisescope_torch._records import make_record
from noisescope_torch._files import FIELD_ORDER, write_manifest
from noisescope_torch._params import flatten_reference, trainable


def train_steps(recorder, model, steps=3, batch=8):
    x, y = w.make_data(steps * batch)
    for s in range(steps):
        idx = slice(s * batch, (s + 1) * batch)
        w.mse(model, (x[idx], y[idx])).backward()
        recorder.step(s, inputs=x[idx], targets=y[idx])
        model.zero_grad()
    recorder.close()


def test_both_modes_write_their_manifest_through_the_one_writer(tmp_path):
    model = w.make_model()
    train_steps(NoiseRecorder(model, str(tmp_path / "train"), every=1, loss_fn=w.criterion, micro_batches=4), model)
    x, y = w.make_data(40, seed=5)
    measure_noise(w.make_model(), w.mse, TensorDataset(x, y), 8, log_dir=str(tmp_path / "measure"))
    for mode in ("train", "measure"):
        manifest = json.loads((tmp_path / mode / "manifest.json").read_text())
        keys = list(manifest)
        assert manifest["mode"] == mode
        assert keys == sorted(keys, key=FIELD_ORDER.index), keys      # one order for both modes


def test_writer_refuses_a_field_it_does_not_know(tmp_path):
    with pytest.raises(ValueError, match="FIELD_ORDER"):
        write_manifest(str(tmp_path), False, mode="train", model_class="M", params=[torch.zeros(2)], world_size=1,
                       group=None, not_in_the_schema=1)


def test_measure_overwriting_a_per_layer_training_log_leaves_a_readable_log(tmp_path):
    # Both writers prepare the directory the same way: overwriting a training log
    # with a measurement also removes its noise_norms_by_group.npy, which the
    # measure manifest (no groups) would contradict.
    model = w.make_model()
    train_steps(NoiseRecorder(model, str(tmp_path), every=1, loss_fn=w.criterion, micro_batches=4), model)
    assert (tmp_path / "noise_norms_by_group.npy").exists()
    x, y = w.make_data(40, seed=5)
    measure_noise(w.make_model(), w.mse, TensorDataset(x, y), 8, log_dir=str(tmp_path), overwrite=True)
    log = read_log(str(tmp_path))
    assert log.manifest["mode"] == "measure" and log.by_group is None and not log.steps
    assert len(log.noise_norms) == 5


def test_parameter_helpers():
    model = w.make_model()
    model[0].bias.requires_grad_(False)
    names, params = trainable(model, ignored=["2.bias"])
    assert names == ["0.weight", "2.weight"]
    flat = flatten_reference({n: torch.full_like(p, float(i + 1)) for i, (n, p) in enumerate(zip(names, params))},
                             names, params, torch.device("cpu"))
    assert flat.dtype == torch.float64 and flat.tolist() == [1.0] * params[0].numel() + [2.0] * params[1].numel()
    with pytest.raises(ValueError, match="values, the model"):
        flatten_reference(torch.zeros(3), names, params, torch.device("cpu"))
    frozen = w.make_model().requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameters"):
        trainable(frozen)


def test_merge_rule_train():
    r0, r1, r2 = [1.0, 2.0, 3.0], [1.5, 2.5, 3.5], [9.0, 8.0]
    assert merge_rank_norms(1, "train", [r0]).tolist() == r0
    assert merge_rank_norms(2, "train", [r0, r0]).tolist() == r0           # W = 2: rank 0's only
    # W = 3: step-major, rank-minor; a rank that lags (killed run) cuts all to its length.
    assert merge_rank_norms(3, "train", [r0, r1, r2]).tolist() == [1.0, 1.5, 9.0, 2.0, 2.5, 8.0]
    assert merge_rank_norms(3, "train", []).tolist() == []


def test_merge_rule_measure():
    # 7 minibatches over W = 3 ranks: rank r measured j = r, r + 3, ...
    ranks = [[0.0, 3.0, 6.0], [1.0, 4.0], [2.0, 5.0]]
    assert merge_rank_norms(3, "measure", ranks).tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    # Rank 1 lags by one: the sample ends at its first missing minibatch (j = 4).
    assert merge_rank_norms(3, "measure", [[0.0, 3.0, 6.0], [1.0], [2.0, 5.0]]).tolist() == [0.0, 1.0, 2.0, 3.0]
    assert merge_rank_norms(1, "measure", [[4.0, 5.0]]).tolist() == [4.0, 5.0]
    with pytest.raises(ValueError, match="needs 3 rank arrays"):
        merge_rank_norms(3, "measure", ranks[:2])


def test_record_of_two_ranks_without_a_process_group():
    # Rows [valid, |g_r - g|^2, |g_r|^2, |g|^2, B_small, B_big]: two ranks of 4 examples.
    rows = [[1.0, 4.0, 10.0, 6.0, 4.0, -1.0], [1.0, 4.0, 14.0, 6.0, 4.0, -1.0]]
    record, own, merged = make_record(6, 0, rows, 1, 2, TwoBatchEMA(beta=0.9), None)
    assert own == [2.0] and merged == [2.0]                 # rank 1's own norm; the merged sample keeps one
    assert (record["b_small"], record["b_big"], record["g_small_sq"], record["g_big_sq"]) == (4, 8, 12.0, 6.0)
    # tr(Sigma) = (12 - 6)/(1/4 - 1/8) = 48, |G|^2 = (8*6 - 4*12)/4 = 0
    assert record["trace_sigma_est"] == 48.0 and record["g_sq_est"] == 0.0 and record["b_simple"] is None
    rows3 = [[1.0, float(k), 1.0, 0.5, 2.0, -1.0] for k in (1, 4, 9)]
    record, own, merged = make_record(0, 0, rows3, 0, 3, TwoBatchEMA(beta=0.9), 100)
    assert own == [1.0] and merged == [1.0, 2.0, 3.0] and "b_simple_fpc" in record


def test_reader_merges_the_rank_files_of_a_measure_log_by_the_same_rule(tmp_path):
    x, y = w.make_data(50, seed=5)
    result = measure_noise(w.make_model(), w.mse, TensorDataset(x, y), 8, log_dir=str(tmp_path))
    os.remove(tmp_path / "noise_norms.npy")
    log = read_log(str(tmp_path))
    assert log.merged is None and np.array_equal(log.noise_norms, result.noise_norms)
    assert all(math.isfinite(v) for v in log.noise_norms)


def test_measure_manifest_names_wall_time_wall_seconds_and_older_seconds_still_reads(tmp_path):
    x, y = w.make_data(50, seed=5)
    result = measure_noise(w.make_model(), w.mse, TensorDataset(x, y), 8, log_dir=str(tmp_path))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert "seconds" not in manifest and manifest["wall_seconds"] == result.wall_seconds > 0
    assert result.seconds == result.wall_seconds                  # the former attribute name still answers
    assert read_log(str(tmp_path)).wall_seconds == result.wall_seconds
    # A log written before the rename: "seconds", no "wall_seconds".
    del manifest["wall_seconds"]
    manifest["seconds"] = 1.25
    (tmp_path / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    old = read_log(str(tmp_path))
    assert old.wall_seconds == 1.25 and old.manifest["wall_seconds"] == 1.25 and old.manifest["seconds"] == 1.25
