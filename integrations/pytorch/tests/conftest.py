"""Every log directory a test leaves in its tmp_path that read_log accepts is
also checked against the JSON Schemas of schemas/ (the contract with the
Swift side), so each run of the suite validates the logs of every
configuration the tests exercise. Directories that read_log refuses are the
deliberately broken ones of the refusal tests and are left alone. Without
jsonschema the check is skipped (scripts/test installs it; test_schemas.py
says so)."""

import os

import pytest


def _log_dirs(root):
    for directory, _, files in os.walk(root):
        if "manifest.json" in files:
            yield directory


@pytest.fixture(autouse=True)
def _logs_match_the_json_schemas(request):
    root = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if root is None:
        return
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return
    from _schemas import log_errors
    from noisescope_torch import SchemaError, read_log

    for directory in _log_dirs(root):
        try:
            read_log(directory)
        except (SchemaError, ValueError, OSError):
            continue
        errors = log_errors(directory)
        assert not errors, f"{directory} does not match schemas/: " + "; ".join(errors[:5])
