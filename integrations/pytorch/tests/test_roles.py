"""The parts NoiseRecorder and measure_noise share, one role each (issue 13,
item 7): the one manifest writer, the log directory's preparation, and the
parameter helpers."""

import json

import pytest
import torch
from torch.utils.data import TensorDataset

import _workers as w
from noisescope_torch import NoiseRecorder, measure_noise, read_log
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
