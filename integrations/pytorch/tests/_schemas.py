"""The JSON Schemas of schemas/ at the repository root (noisescope-log/1:
manifest.json and one line of steps.jsonl) and a validator of a whole log
directory. Needs jsonschema (scripts/test installs it)."""

from __future__ import annotations

import json
import os
from typing import List

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SCHEMAS = os.path.join(ROOT, "schemas")
MANIFEST_SCHEMA = os.path.join(SCHEMAS, "noisescope-log.manifest.schema.json")
STEPS_SCHEMA = os.path.join(SCHEMAS, "noisescope-log.steps.schema.json")


def _strict(text: str):
    return json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(f"{c} is not JSON")))


def validators():
    """(manifest validator, steps-line validator), Draft 2020-12, schemas checked first."""
    from jsonschema import Draft202012Validator

    out = []
    for path in (MANIFEST_SCHEMA, STEPS_SCHEMA):
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
        out.append(Draft202012Validator(schema))
    return tuple(out)


def log_errors(log_dir: str) -> List[str]:
    """Every schema violation of a log directory's manifest.json and of each
    steps.jsonl line, plus the cross-file facts a per-object schema cannot
    state (the steps lines' world size and per-layer widths against the
    manifest); empty when valid."""
    manifest_validator, steps_validator = validators()
    errors = []
    with open(os.path.join(log_dir, "manifest.json"), encoding="utf-8") as f:
        manifest = _strict(f.read())
    errors += [f"manifest.json: {e.json_path}: {e.message}" for e in manifest_validator.iter_errors(manifest)]
    steps = os.path.join(log_dir, "steps.jsonl")
    if not os.path.exists(steps):
        return errors
    groups, tensors = manifest.get("groups"), manifest.get("tensors")
    with open(steps, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            record = _strict(line)
            errors += [f"steps.jsonl line {number}: {e.json_path}: {e.message}"
                       for e in steps_validator.iter_errors(record)]
            if record.get("world_size") != manifest.get("world_size"):
                errors.append(f"steps.jsonl line {number}: world_size {record.get('world_size')} is not the "
                              f"manifest's {manifest.get('world_size')}")
            if groups and "noise_norms_by_group" in record:
                if any(len(row) != len(groups) for row in record["noise_norms_by_group"]):
                    errors.append(f"steps.jsonl line {number}: noise_norms_by_group rows are not {len(groups)} wide")
                if len(record["noise_sq_by_tensor"]) != len(tensors):
                    errors.append(f"steps.jsonl line {number}: noise_sq_by_tensor is not {len(tensors)} long")
    return errors
