"""benchmarks/gpu_check.sh cannot run here (no GPU): what can be checked on a
CPU is. Without CUDA it fails loudly (exit 2, one FAIL setup line), and so
does gpu_equivalence.py --device cuda; its dry run on the CPU
(NOISESCOPE_GPU_CHECK_DEVICE=cpu: gloo instead of NCCL, one round of each
benchmark) runs every check's Python and the script's own counting, and
must pass: the 2-rank fields and per-example samples against the one-process
emulation (rtol 1e-10), per-example noise of every tests model against
autograd (1e-8), bfloat16 autocast (1e-2)."""

import os
import subprocess
import sys

import pytest
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(os.path.dirname(HERE), "benchmarks")

pytestmark = pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present: run gpu_check.sh itself")


def script(env=None, timeout=300):
    environment = dict(os.environ, NOISESCOPE_PYTHON=sys.executable, **(env or {}))
    return subprocess.run(["bash", os.path.join(BENCH, "gpu_check.sh")], capture_output=True, text=True,
                          env=environment, timeout=timeout)


def test_without_cuda_it_fails_loudly():
    done = script()
    assert done.returncode == 2
    assert done.stdout.splitlines()[0].startswith("FAIL setup: no CUDA device (nvidia-smi lists none; "
                                                  "torch.cuda.is_available() is False in ")
    done = subprocess.run([sys.executable, os.path.join(BENCH, "gpu_equivalence.py"), "--device", "cuda"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout.startswith("FAIL setup: --device cuda but torch.cuda.is_available()")


def test_dry_run_on_the_cpu_passes_every_check():
    done = script({"NOISESCOPE_GPU_CHECK_DEVICE": "cpu"}, timeout=600)
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines[0].startswith("noisescope_torch GPU check: DRY RUN on the CPU")
    for name in ("ddp-2rank-gloo", "micro-1cpu", "per-example-f64-cpu", "per-example-bf16-cpu",
                 "hook-overhead-cpu-w1-micro"):
        assert any(line.startswith(f"PASS {name}: ") for line in lines), name
    assert any(line.startswith("INFO per-example-cost-mlp: mlp (932,362 parameters, batch 32") for line in lines)
    assert "SKIP hook-overhead-cpu-w2: 1 CUDA device; two ranks need one each" in lines
    assert lines[-1].startswith("summary: 5 passed, 0 failed, 1 skipped, 1 info on cpu in ")
