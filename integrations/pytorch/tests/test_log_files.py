"""schemas/noisescope-log.files.json: the file names of a log directory and
the cases of the rank-merge rule, stated once for the companion and the Swift
reader (Tests/NoiseScopeTests/LogFilesContractTests.swift runs the same
table through TorchLogRanks). Here: the constants the writers and the reader
use are the contract's names, the manifest's ``files`` says the same, and
every case of the table goes through the rule (rank_in_merged_sample),
through the merge (merge_rank_norms), and through a log directory that
read_log merges from its rank files."""

import json
from pathlib import Path

import numpy as np
import pytest

from noisescope_torch import _io, merge_rank_norms, read_log
from noisescope_torch._files import file_names
from noisescope_torch._records import rank_in_merged_sample

CONTRACT = Path(__file__).resolve().parents[3] / "schemas" / "noisescope-log.files.json"


def contract():
    return json.loads(CONTRACT.read_text(encoding="utf-8"))


CASES = contract()["merge_rule"]["cases"]


def case_id(case):
    return f"{case['mode']}-W{case['world_size']}-rank{case['rank']}"


def test_the_constants_are_the_contracts_names():
    names = contract()["files"]
    assert contract()["schema"] == _io.SCHEMA
    assert names == {"manifest": _io.MANIFEST, "steps": _io.STEPS, "noise_norms": _io.MERGED,
                     "rank_noise_norms": _io.RANK_PREFIX + "{r}" + _io.RANK_SUFFIX,
                     "noise_norms_by_group": _io.BY_GROUP, "noise_per_example": _io.EXAMPLES,
                     "noise_per_example_steps": _io.EXAMPLE_STEPS}
    for rank in (0, 1, 12):
        assert _io.rank_file(rank) == names["rank_noise_norms"].replace("{r}", str(rank))
    # The manifest's `files` object: the same names under the same keys (ranks spelled out).
    expected = {key: name for key, name in names.items() if key != "manifest"}
    expected["rank_noise_norms"] = [_io.rank_file(rank) for rank in range(3)]
    assert file_names(3, steps=True, by_group=True, per_example=True) == expected


def test_the_table_covers_every_branch_of_the_rule():
    assert {case["mode"] for case in CASES} == {"train", "measure"}
    for mode in ("train", "measure"):
        sizes = {case["world_size"] for case in CASES if case["mode"] == mode}
        assert {1, 2} <= sizes and max(sizes) > 2, mode
    assert any(not case["included"] for case in CASES)          # the two-rank train log's rank 1
    assert all(0 <= case["rank"] < case["world_size"] and case["why"] for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_case_through_the_rule(case):
    assert rank_in_merged_sample(case["mode"], case["world_size"], case["rank"]) is case["included"], case["why"]


def rank_values(world_size):
    """Distinct noise norms per rank: rank r's are 100 r + 1 ... 100 r + 4."""
    return [np.arange(1.0, 5.0) + 100 * rank for rank in range(world_size)]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_case_through_the_merge(case):
    ranks = rank_values(case["world_size"])
    merged = merge_rank_norms(case["world_size"], case["mode"], ranks)
    assert bool(np.isin(ranks[case["rank"]], merged).all()) is case["included"], case["why"]
    assert bool(np.isin(ranks[case["rank"]], merged).any()) is case["included"], case["why"]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_case_through_the_rank_files_of_a_log(case, tmp_path_factory):
    # A manifest with only what the merge reads: not a complete log, so not under tmp_path (whose logs
    # conftest.py checks against the manifest's JSON Schema).
    log_dir = tmp_path_factory.mktemp("ranks")
    names = contract()["files"]
    manifest = {"schema": contract()["schema"], "mode": case["mode"], "world_size": case["world_size"]}
    (log_dir / names["manifest"]).write_text(json.dumps(manifest), encoding="utf-8")
    ranks = rank_values(case["world_size"])
    for rank, values in enumerate(ranks):
        _io.write_npy_atomic(str(log_dir / names["rank_noise_norms"].replace("{r}", str(rank))), values)
    log = read_log(str(log_dir))
    assert sorted(log.per_rank) == list(range(case["world_size"]))
    assert bool(np.isin(ranks[case["rank"]], log.noise_norms).all()) is case["included"], case["why"]
