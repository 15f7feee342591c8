"""A 2-rank DDP run killed mid-way (rank 0, the writer of the manifest, the
JSONL and the merged NPY, gets SIGKILL; rank 1 then fails in its next
collective) leaves every log file valid, and files that go together agree."""

import glob
import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np

import _workers as w
from noisescope_torch import read_log, read_npy_strict

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")


def jsonl_lines(path):
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as f:
        return f.read().count(b"\n")


def test_sigkilled_run_leaves_every_file_valid(tmp_path):
    log_dir = tmp_path / "noise"
    env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(w.free_port()), WORLD_SIZE="2",
               NOISE_LOG_DIR=str(log_dir), PYTHONPATH=os.pathsep.join([SRC, HERE, os.environ.get("PYTHONPATH", "")]),
               OMP_NUM_THREADS="1")
    logs = [open(tmp_path / f"rank{r}.log", "w") for r in range(2)]
    procs = [subprocess.Popen([sys.executable, os.path.join(HERE, "_train_until_killed.py")],
                              env=dict(env, RANK=str(r)), stdout=logs[r], stderr=subprocess.STDOUT)
             for r in range(2)]
    steps = log_dir / "steps.jsonl"
    try:
        deadline = time.time() + 120
        while jsonl_lines(steps) < 40:
            for r, p in enumerate(procs):
                assert p.poll() is None, f"rank {r} exited early: {open(tmp_path / f'rank{r}.log').read()}"
            assert time.time() < deadline, "the run did not record 40 steps in 120 s"
            time.sleep(0.02)
        procs[0].send_signal(signal.SIGKILL)          # mid-run, wherever it is
        procs[0].wait(timeout=30)
        try:
            procs[1].wait(timeout=45)                   # fails in its next collective
        except subprocess.TimeoutExpired:
            procs[1].send_signal(signal.SIGKILL)
            procs[1].wait(timeout=30)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for f in logs:
            f.close()
    assert procs[0].returncode == -signal.SIGKILL

    names = sorted(os.listdir(log_dir))
    leftovers = [n for n in names if n not in ("manifest.json", "steps.jsonl") and not n.endswith(".npy")]
    assert all(re.fullmatch(r".+\.(npy|json)\.tmp\.\d+", n) for n in leftovers), names

    with open(log_dir / "manifest.json") as f:
        manifest = json.load(f)
    assert manifest["schema"] == "noisescope-log/1" and manifest["complete"] is False

    with open(steps, "rb") as f:
        raw = f.read()
    assert raw.endswith(b"\n")
    records = [json.loads(line, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
               for line in raw.decode().splitlines()]
    assert len(records) >= 40
    assert [r["step"] for r in records] == list(range(len(records)))

    npys = glob.glob(str(log_dir / "*.npy"))
    assert {os.path.basename(p) for p in npys} == {"noise_norms.npy", "noise_norms.rank0.npy", "noise_norms.rank1.npy",
                                                   "noise_norms_by_group.npy", "noise_per_example.npy",
                                                   "noise_per_example_steps.npy"}
    for path in npys:
        strict = read_npy_strict(path, ndim=2 if path.endswith("_by_group.npy") else 1)   # strict header and size
        np.testing.assert_array_equal(np.load(path), strict)
    merged = read_npy_strict(str(log_dir / "noise_norms.npy"))
    # Rank 0 appends the JSONL line, then rewrites the NPY files: at most one behind.
    assert len(records) - 1 <= len(merged) <= len(records)
    np.testing.assert_array_equal(merged, [r["noise_norms"][0] for r in records[:len(merged)]])
    rank1 = read_npy_strict(str(log_dir / "noise_norms.rank1.npy"))
    assert abs(len(rank1) - len(records)) <= 1
    n = min(len(rank1), len(records))
    np.testing.assert_allclose(rank1[:n], [r["noise_norms"][1] for r in records[:n]], rtol=1e-12)

    # The files that follow another (by-group rows follow noise_norms.npy, the step of each example follows
    # noise_per_example.npy) are written with it as one update and renamed just before it: never behind
    # it, at most one record (flush) ahead; read_log cuts them to its length, so what it gives agrees.
    by_group = read_npy_strict(str(log_dir / "noise_norms_by_group.npy"), ndim=2)
    assert len(merged) <= len(by_group) <= len(merged) + 1
    examples = read_npy_strict(str(log_dir / "noise_per_example.npy"))
    example_steps = read_npy_strict(str(log_dir / "noise_per_example_steps.npy"))
    per_step = 2 * 8                                     # every example of both ranks, every step
    assert len(examples) % per_step == 0 and len(examples) // per_step in (len(merged), len(merged) - 1)
    assert len(examples) <= len(example_steps) <= len(examples) + per_step
    assert np.all(np.isfinite(examples)) and np.all(examples > 0)
    assert [r["examples"] for r in records] == [per_step] * len(records)

    log = read_log(str(log_dir))                        # the package's reader accepts it
    assert not log.complete and len(log.steps) == len(records)
    assert len(log.by_group) == len(merged)
    np.testing.assert_allclose(np.sqrt((log.by_group ** 2).sum(axis=1)), merged, rtol=1e-10)
    np.testing.assert_array_equal(log.per_example, examples)
    np.testing.assert_array_equal(log.per_example_steps, np.repeat(np.arange(len(examples) // per_step), per_step))
