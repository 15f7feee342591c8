#!/usr/bin/env bash
# GPU checks of noisescope_torch, one line per check (PASS/FAIL/SKIP name: detail):
#   ddp-2rank-nccl      two ranks, NCCL, one GPU each: DDP float64 equals the CPU emulation (needs 2 GPUs)
#   micro-1gpu          one process on a GPU, micro-batch noise: equals the CPU emulation
#   hook-overhead-*     the recorder's direct cost on the tinygpt benchmark, recording every 10 steps, <= 5 %
# On a machine without a CUDA device it prints "no CUDA device" and exits 0.
# Python: $NOISESCOPE_PYTHON, else ${NOISESCOPE_VENV:-$HOME/.cache/noisescope/venv}/bin/python, else python3;
# it needs a CUDA build of torch (the venv of scripts/test holds a CPU build when pip offered one).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${NOISESCOPE_PYTHON:-${NOISESCOPE_VENV:-$HOME/.cache/noisescope/venv}/bin/python}
[ -x "$python" ] || python=python3
limit=${NOISESCOPE_GPU_CHECK_TIMEOUT:-300}

gpus=0
if command -v nvidia-smi >/dev/null 2>&1; then
    gpus=$(nvidia-smi --list-gpus 2>/dev/null | grep -c '^GPU' || true)
fi
torch_cuda=$("$python" -c "import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)" 2>/dev/null || echo 0)
if [ "$torch_cuda" -eq 0 ]; then
    if [ "$gpus" -gt 0 ]; then
        echo "FAIL setup: $gpus CUDA device(s) but $python has no CUDA-enabled torch; install one (pip install torch) or set NOISESCOPE_PYTHON"
        exit 1
    fi
    echo "no CUDA device: nothing to check"
    exit 0
fi

failed=0
run() {  # run CMD...: its PASS/FAIL/SKIP lines, or one FAIL line if it printed none
    local name=$1; shift
    local output status
    output=$(timeout "$limit" "$@" 2>&1); status=$?
    local lines
    lines=$(printf '%s\n' "$output" | grep -E '^(PASS|FAIL|SKIP) ' || true)
    if [ -n "$lines" ]; then printf '%s\n' "$lines"; fi
    if [ $status -ne 0 ]; then
        failed=1
        [ -n "$lines" ] || echo "FAIL $name: exit $status: $(printf '%s\n' "$output" | tail -n 1)"
    fi
}
run equivalence "$python" "$here/gpu_equivalence.py" --device cuda
run hook-overhead-cuda-w1 "$python" "$here/hook_overhead.py" --device cuda --world-size 1 --check-max 0.05
if [ "$torch_cuda" -ge 2 ]; then
    run hook-overhead-cuda-w2 "$python" "$here/hook_overhead.py" --device cuda --world-size 2 --check-max 0.05
else
    echo "SKIP hook-overhead-cuda-w2: $torch_cuda CUDA device; two ranks need one each"
fi
exit $failed
