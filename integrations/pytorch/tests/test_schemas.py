"""The JSON Schemas of schemas/ (noisescope-log/1, the contract with the Swift
side) against the real companion: manifests and every steps.jsonl line of a
training run with micro-batches (W = 1), with a reference, with user groups
(per-layer), and of a measurement; the schemas' own edges (what they refuse,
what they let through). Every other log the suite writes is validated by
conftest.py; the two-rank DDP log by test_golden_log.py."""

import copy
import json

import pytest
import torch
from torch.utils.data import TensorDataset

import _workers as w
from _schemas import log_errors, validators
from noisescope_torch import NoiseRecorder, measure_noise

pytest.importorskip("jsonschema", reason="the schema tests need jsonschema (scripts/test installs it)")


def run(recorder, model, steps=5, batch=8):
    x, y = w.make_data(steps * batch)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for s in range(steps):
        idx = slice(s * batch, (s + 1) * batch)
        w.mse(model, (x[idx], y[idx])).backward()
        recorder.step(s, inputs=x[idx], targets=y[idx])
        opt.step()
        opt.zero_grad()
    recorder.close()


def lines(log_dir):
    return [json.loads(line) for line in open(log_dir / "steps.jsonl")]


def test_train_one_process_micro_batches(tmp_path):
    model = w.make_model()
    run(NoiseRecorder(model, str(tmp_path), every=1, loss_fn=w.criterion, micro_batches=4, micro_samples=2,
                      dataset_size=40), model)
    assert log_errors(str(tmp_path)) == []
    assert len(lines(tmp_path)) == 5 and "b_simple_fpc" in lines(tmp_path)[0]


def test_train_with_reference(tmp_path):
    model = w.make_model()
    reference = [torch.zeros_like(p) for p in model.parameters()]
    run(NoiseRecorder(model, str(tmp_path), every=2, reference=reference, batch_size=8), model)
    assert log_errors(str(tmp_path)) == []
    assert all(line["g_big_sq"] is None for line in lines(tmp_path))       # nullable where SCHEMA.md says so


def test_train_per_layer_user_groups(tmp_path):
    model = w.make_model()
    run(NoiseRecorder(model, str(tmp_path), every=1, loss_fn=w.criterion, micro_batches=2,
                      groups={"first": ["0"], "last": ["2"]}), model)
    assert log_errors(str(tmp_path)) == []
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["group_rule"] == "user" and manifest["groups"] == ["first", "last"]


def test_measure_mode(tmp_path):
    x, y = w.make_data(50, seed=5)
    measure_noise(w.make_model(), w.mse, TensorDataset(x, y), 8, seed=2, log_dir=str(tmp_path))
    assert log_errors(str(tmp_path)) == []


def test_what_the_schemas_refuse_and_allow(tmp_path):
    x, y = w.make_data(50, seed=5)
    measure_noise(w.make_model(), w.mse, TensorDataset(x, y), 8, log_dir=str(tmp_path / "m"))
    model = w.make_model()
    run(NoiseRecorder(model, str(tmp_path / "t"), every=1, loss_fn=w.criterion, micro_batches=4), model)
    manifest_v, steps_v = validators()
    measure = json.loads((tmp_path / "m" / "manifest.json").read_text())
    train = json.loads((tmp_path / "t" / "manifest.json").read_text())
    step = lines(tmp_path / "t")[0]

    def ok(validator, obj):
        return not list(validator.iter_errors(obj))

    def changed(obj, **fields):
        out = copy.deepcopy(obj)
        for k, v in fields.items():
            if v is KeyError:
                out.pop(k)
            else:
                out[k] = v
        return out

    assert ok(manifest_v, measure) and ok(manifest_v, train) and ok(steps_v, step)
    assert train["per_example"]["enabled"] and step["examples"] == 8          # the per-example parts are there
    # Unknown fields are allowed (readers ignore them).
    assert ok(manifest_v, changed(train, from_the_future=[1, 2])) and ok(steps_v, changed(step, new_field="x"))
    # An older measure log: wall time under its former name.
    assert ok(manifest_v, changed(measure, wall_seconds=KeyError, seconds=0.5))
    refused = [
        (manifest_v, changed(train, schema="noisescope-log/2")),
        (manifest_v, changed(train, mode="eval")),
        (manifest_v, changed(train, noise_reference="full-gradient")),       # a measure-only reference
        (manifest_v, changed(measure, noise_reference="batch-gradient")),
        (manifest_v, changed(train, group_rule="mine")),
        (manifest_v, changed(train, parameter_count=12.5)),                  # int, not number
        (manifest_v, changed(train, world_size="1")),
        (manifest_v, changed(train, every=KeyError)),                        # train requires every
        (manifest_v, changed(train, group_rule=KeyError)),                   # groups without group_rule
        (manifest_v, changed(measure, wall_seconds=None)),                   # complete without wall time
        (manifest_v, changed(measure, wall_seconds=KeyError)),
        (manifest_v, changed(measure, full_gradient_norm=None)),
        (manifest_v, changed(measure, created="yesterday")),
        (steps_v, changed(step, step=1.5)),
        (steps_v, changed(step, b_small=2.5)),
        (steps_v, changed(step, noise_norm=-1.0)),
        (steps_v, changed(step, noise_norms=[])),
        (steps_v, changed(step, b_simple="big")),
        (steps_v, changed(step, b_simple_ema=KeyError)),
        (steps_v, changed(step, g_small_sq_by_group=KeyError)),              # per-layer fields come together
        (steps_v, changed(step, examples=-1)),
        (manifest_v, changed(train, per_example={"enabled": True})),          # enabled without its counts
        (manifest_v, changed(train, per_example={"enabled": False})),         # disabled without a reason
        (manifest_v, changed(train, per_example=dict(train["per_example"], modules=[
            {"module": "0", "type": "Linear", "rule": "linear", "tensors": {"0.weight": "guessed"}}]))),
        (manifest_v, changed(train, schedule={"kind": "sometimes", "dense_samples": None, "every": 10})),
    ]
    assert [i for i, (validator, obj) in enumerate(refused) if ok(validator, obj)] == []
    # A null where a float is non-finite is valid (JSON has no NaN).
    assert ok(steps_v, changed(step, g_sq_est=None, b_simple=None, noise_norm=None))


def test_swift_measure_summary_follows_its_schema(tmp_path):
    """summary.json, written by the Swift `noisescope measure`, against
    schemas/measure-summary.schema.json: the same file the Swift tests check,
    with the shared names (parameter_count, wall_seconds) and the exact-gradient
    B_simple under its own name."""
    import os
    import shutil
    import subprocess
    from pathlib import Path

    import jsonschema

    binary = os.environ.get("NOISESCOPE_BIN") or shutil.which("noisescope")
    if not binary:
        pytest.skip("noisescope binary absent (set NOISESCOPE_BIN or put it on PATH)")
    out = tmp_path / "run"
    subprocess.run([binary, "measure", "--model", "logreg", "--samples", "60", "--bootstrap", "0",
                    "--out", str(out), "--quiet"], check=True, capture_output=True)
    summary = json.loads((out / "summary.json").read_text())
    schema = json.loads((Path(__file__).resolve().parents[3] / "schemas" / "measure-summary.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(summary)
    assert summary["parameter_count"] == 650
    assert "b_simple_exact_gradient" in summary and "b_simple" not in summary
    broken = dict(summary, parameter_count="650")
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(broken))


def test_check_report_follows_its_schema_and_the_dataclasses_read_only_its_fields():
    """`noisescope check --json` against schemas/check-report.schema.json (the
    Swift tests check the same file), on a power law with its goodness of fit,
    a light tail and a tiny sample with values to drop; and every field the
    dataclasses of noisescope_torch.check read is a property of that schema."""
    import dataclasses
    import os
    import shutil
    from pathlib import Path

    import jsonschema
    import numpy as np

    from noisescope_torch import check as run_check
    from noisescope_torch.check import CheckResult, PowerLawFit, SampleSummary, TailEstimate

    schema = json.loads((Path(__file__).resolve().parents[3] / "schemas" / "check-report.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    props = schema["properties"]

    def names(cls):
        return {f.name for f in dataclasses.fields(cls)} - {"extra", "raw"}

    assert names(CheckResult) <= set(props)
    assert names(SampleSummary) <= set(props["summary"]["properties"])
    assert names(TailEstimate) <= set(schema["$defs"]["estimate"]["properties"])
    assert names(PowerLawFit) <= set(props["powerlaw"]["anyOf"][1]["properties"])
    # The validator is not vacuous.
    assert list(validator.iter_errors({"verdict": "very heavy"}))

    if not (os.environ.get("NOISESCOPE_BIN") or shutil.which("noisescope")):
        pytest.skip("noisescope binary absent (set NOISESCOPE_BIN or put it on PATH)")
    rng = np.random.default_rng(3)
    samples = [rng.uniform(size=3000) ** (-1 / 1.5), rng.exponential(size=3000),
               np.concatenate([rng.uniform(size=12) ** -0.5, [0.0, -1.0]])]
    for x in samples:
        result = run_check(x, bootstrap=20, invalid="drop")
        errors = [e.message for e in validator.iter_errors(result.raw)]
        assert errors == [], errors
        assert result.verdict in props["verdict"]["enum"]
    assert run_check(samples[2], bootstrap=0, invalid="drop").raw["dropped"]["nonpositive"] == 2
