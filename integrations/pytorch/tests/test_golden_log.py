"""The golden two-rank log Tests/Fixtures/torch-log-2rank/ (written by
fixtures/make_golden_log.py with the real companion: DDP, 2 gloo ranks,
per-layer groups, 12 records; the Swift tests read the same files): it
matches the JSON Schemas, read_log reads it, the rank-merge rule recomputes
noise_norms.npy from the rank files exactly, and rerunning the script
reproduces it (observed byte-identical on one machine and torch; asserted:
manifest.json byte-identical, the numbers to rtol 1e-12, since another CPU or
torch may round the last bits differently)."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from noisescope_torch import merge_rank_norms, read_log, read_npy_strict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
GOLDEN = os.path.join(ROOT, "Tests", "Fixtures", "torch-log-2rank")
SCRIPT = os.path.join(HERE, "fixtures", "make_golden_log.py")
FILES = ["manifest.json", "noise_norms.npy", "noise_norms.rank0.npy", "noise_norms.rank1.npy",
         "noise_norms_by_group.npy", "steps.jsonl"]


def test_golden_log_has_its_files_and_matches_the_schemas():
    assert sorted(os.listdir(GOLDEN)) == FILES
    pytest.importorskip("jsonschema", reason="the schema check needs jsonschema (scripts/test installs it)")
    from _schemas import log_errors
    assert log_errors(GOLDEN) == []


def test_read_log_reads_the_golden_log():
    log = read_log(GOLDEN)
    m = log.manifest
    assert (m["mode"], m["world_size"], m["ddp"], m["noise_reference"], m["complete"], m["records"]) == \
        ("train", 2, True, "mean-over-ranks", True, 12)
    assert log.groups == ["mlp", "norms", "head"] and len(log.steps) == 12
    assert [s["step"] for s in log.steps] == list(range(12))
    assert sorted(log.per_rank) == [0, 1] and log.by_group.shape == (12, 3)
    assert np.isfinite(log.column("b_simple_ema")).all()


def test_merge_rule_recomputes_noise_norms_from_the_rank_files():
    log = read_log(GOLDEN)
    r0, r1 = log.per_rank[0], log.per_rank[1]
    # W = 2: only rank 0's norms, exactly.
    assert np.array_equal(merge_rank_norms(2, "train", [r0, r1]), log.merged)
    assert np.array_equal(log.merged, r0)
    # The two ranks' norms are equal by construction (up to rounding).
    np.testing.assert_allclose(r1, r0, rtol=1e-12)
    # Each rank file is that rank's column of steps.jsonl's noise_norms, exactly.
    for r, own in ((0, r0), (1, r1)):
        assert own.tolist() == [s["noise_norms"][r] for s in log.steps]
    # The per-group rows belong to the merged rows: their squares add up.
    np.testing.assert_allclose((log.by_group ** 2).sum(axis=1), log.merged ** 2, rtol=1e-10)


def test_reader_without_noise_norms_npy_merges_by_the_same_rule(tmp_path):
    copy = tmp_path / "log"
    shutil.copytree(GOLDEN, copy)
    os.remove(copy / "noise_norms.npy")
    log = read_log(str(copy))
    assert log.merged is None
    assert np.array_equal(log.noise_norms, read_npy_strict(os.path.join(GOLDEN, "noise_norms.npy")))


def test_rerunning_the_script_reproduces_the_golden_log(tmp_path):
    out = tmp_path / "golden"
    subprocess.run([sys.executable, SCRIPT, "--out", str(out)], check=True, timeout=180)
    assert sorted(os.listdir(out)) == FILES
    with open(os.path.join(GOLDEN, "manifest.json"), "rb") as f:
        assert (out / "manifest.json").read_bytes() == f.read()
    for name in FILES[1:5]:
        with open(os.path.join(GOLDEN, name), "rb") as f:
            committed = f.read()
        fresh = (out / name).read_bytes()
        assert fresh[:128] == committed[:128]                  # same header: dtype, shape
        ndim = 2 if name == "noise_norms_by_group.npy" else 1
        np.testing.assert_allclose(read_npy_strict(str(out / name), ndim),
                                   read_npy_strict(os.path.join(GOLDEN, name), ndim), rtol=1e-12, atol=0)
    fresh_steps = [json.loads(line) for line in open(out / "steps.jsonl")]
    committed_steps = [json.loads(line) for line in open(os.path.join(GOLDEN, "steps.jsonl"))]
    assert [list(s) for s in fresh_steps] == [list(s) for s in committed_steps]
    for a, b in zip(fresh_steps, committed_steps):
        for key in a:
            x, y = np.asarray(a[key], dtype=float), np.asarray(b[key], dtype=float)
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12, err_msg=key)
