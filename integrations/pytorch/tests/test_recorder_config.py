"""RecorderConfig: NoiseRecorder's options as one frozen value. The old
keywords and a config give the same recorder (its settings, its manifest);
a bad value is refused with the same message either way, before anything is
written; a keyword that contradicts the config is refused; the config's
fields are exactly the constructor's keywords, with the same defaults."""

import dataclasses
import inspect
import json

import pytest
import torch

import _workers as w
from noisescope_torch import NoiseRecorder, RecorderConfig

OPTIONS = dict(every=3, batch_size=6, loss_fn=w.criterion, micro_batches=3, micro_samples=2, dataset_size=60,
               seed=7, ema_decay=0.9, start_step=2, npy_flush_seconds=0.25, per_layer=True,
               groups={"first": ["0"], "last": ["2"]}, per_example=False)


def settings(recorder):
    """What a recorder made of its options, and its manifest without the times."""
    with open(f"{recorder.log_dir}/manifest.json", encoding="utf-8") as f:
        manifest = json.load(f)
    for moment in ("created", "closed"):
        manifest.pop(moment, None)
    return {"config": recorder.config, "mode": recorder.mode, "batch_size": recorder.batch_size,
            "dataset_size": recorder.dataset_size, "seed": recorder.seed, "fsync": recorder.fsync,
            "loss_fn": recorder.loss_fn, "micro_batches": recorder.micro_batches,
            "micro_samples": recorder.micro_samples, "every": recorder.every, "per_example": recorder.per_example,
            "next_step": recorder._next_step, "ema_decay": recorder._ema.beta,
            "flush_seconds": recorder._files.flush_seconds, "groups": recorder._layers.groups,
            "tensor_groups": recorder._layers.tensor_group, "manifest": manifest}


def test_keywords_and_config_make_the_same_recorder(tmp_path):
    model = w.make_model()
    made = []
    for name, build in [
        ("keywords", lambda d: NoiseRecorder(model, d, **OPTIONS)),
        ("positional", lambda d: NoiseRecorder(model, d, 3, 6, **{k: v for k, v in OPTIONS.items()
                                                                   if k not in ("every", "batch_size")})),
        ("config", lambda d: NoiseRecorder(model, d, config=RecorderConfig(**OPTIONS))),
        # part in the config, the rest as keywords (options the config leaves at their defaults)
        ("both", lambda d: NoiseRecorder(model, d, every=3, loss_fn=w.criterion, groups=OPTIONS["groups"],
                                         config=RecorderConfig(**{k: v for k, v in OPTIONS.items()
                                                                  if k not in ("every", "loss_fn", "groups")}))),
        # a keyword equal to the config's value is no conflict
        ("repeated", lambda d: NoiseRecorder(model, d, every=3, seed=7, config=RecorderConfig(**OPTIONS))),
    ]:
        recorder = build(str(tmp_path / name))
        x, y = w.make_data(6)
        w.mse(model, (x, y)).backward()
        for step in range(2, 5):
            recorder.step(step, inputs=x, targets=y)
        model.zero_grad()
        recorder.close()
        made.append((name, settings(recorder)))
    first = made[0][1]
    assert first["config"] == RecorderConfig(**OPTIONS)
    assert first["manifest"]["every"] == 3 and first["manifest"]["seed"] == 7 and first["manifest"]["records"] == 1
    for name, other in made[1:]:
        assert other == first, name


def test_a_keyword_at_its_default_leaves_the_configs_value(tmp_path):
    config = RecorderConfig(every=4, per_layer=False, loss_fn=w.criterion)
    recorder = NoiseRecorder(w.make_model(), str(tmp_path), every=None, per_layer=True, config=config)
    assert recorder.config is config
    assert recorder.every == 4 and recorder._layers is None
    recorder.close()


BAD = [("every", 0, "every must be at least 1, got 0"),
       ("batch_size", 0, "batch_size must be positive, got 0"),
       ("ema_decay", 1.0, "ema_decay must be in [0, 1), got 1.0"),
       ("ema_decay", -0.5, "ema_decay must be in [0, 1), got -0.5"),
       ("dataset_size", 1, "dataset_size must be at least 2, got 1")]


@pytest.mark.parametrize("option,value,message", BAD)
def test_bad_values_are_refused_with_the_same_message(tmp_path, option, value, message):
    model = w.make_model()
    with pytest.raises(ValueError) as by_keyword:
        NoiseRecorder(model, str(tmp_path), **{option: value})
    with pytest.raises(ValueError) as by_config:
        RecorderConfig(**{option: value})
    with pytest.raises(ValueError) as keyword_and_config:        # the keyword sets what the config leaves
        NoiseRecorder(model, str(tmp_path), **{option: value}, config=RecorderConfig())
    assert str(by_keyword.value) == str(by_config.value) == str(keyword_and_config.value) == message
    assert not (tmp_path / "manifest.json").exists()         # refused before anything is written


def test_a_keyword_that_contradicts_the_config_is_refused(tmp_path):
    model = w.make_model()
    with pytest.raises(ValueError) as caught:
        NoiseRecorder(model, str(tmp_path), every=5, config=RecorderConfig(every=3))
    assert str(caught.value) == ("noisescope_torch: every=5 conflicts with the config's every=3; give every in one "
                                 "place (the keyword or the config)")
    with pytest.raises(ValueError, match="^noisescope_torch: reference=<Tensor> conflicts with the config's "
                                         "reference=<Tensor>"):
        NoiseRecorder(model, str(tmp_path), reference=torch.zeros(56, dtype=torch.float64),
                      config=RecorderConfig(reference=torch.ones(56, dtype=torch.float64)))
    with pytest.raises(TypeError, match="config must be a RecorderConfig, got dict"):
        NoiseRecorder(model, str(tmp_path), config={"every": 3})
    assert not (tmp_path / "manifest.json").exists()


def test_the_config_is_frozen_and_matches_the_constructor():
    config = RecorderConfig(every=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.every = 4
    assert dataclasses.replace(config, every=5).every == 5 and config.every == 3
    with pytest.raises(ValueError, match="every must be at least 1, got 0"):
        dataclasses.replace(config, every=0)                   # the same checks on every copy
    # Every keyword of NoiseRecorder (after model and log_dir) is a field, with the same default.
    parameters = dict(inspect.signature(NoiseRecorder.__init__).parameters)
    for name in ("self", "model", "log_dir", "config"):
        parameters.pop(name)
    defaults = {f.name: f.default for f in dataclasses.fields(RecorderConfig)}
    assert list(defaults) == list(parameters)
    assert defaults == {name: p.default for name, p in parameters.items()}
