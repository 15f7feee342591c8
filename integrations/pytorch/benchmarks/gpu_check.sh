#!/usr/bin/env bash
# GPU checks of noisescope_torch as one short script (about 2 minutes on one H100), one line per check
# (PASS/FAIL/SKIP/INFO name: detail), then a summary line:
#   ddp-2rank-nccl        two ranks, NCCL, one GPU each: DDP float64 fields and per-example samples equal the
#                         CPU emulation (needs 2 GPUs; SKIP with one)
#   micro-1gpu            one process on a GPU, micro-batch noise: equals the CPU emulation
#   per-example-f64-cuda  per-example noise of every tests model (every rule), float64, against autograd on the GPU
#   per-example-bf16-cuda a float32 causal block under bfloat16 autocast, against float64 autograd (1e-2)
#   per-example-cost-*    INFO: a recording step against a plain one (tinygpt, MLP; batch 32), the 10,000-step
#                         run's overhead, the extra peak memory (the <= 1.5x / 10 % targets were set on the CPU)
#   hook-overhead-cuda-*  micro-batch / per-rank recorder's direct cost, recording every 10 steps, <= 5 %
# Without a CUDA device it fails loudly (exit 2): it exists to check the GPU code path.
# NOISESCOPE_GPU_CHECK_DEVICE=cpu is a dry run of this script's own logic on a CPU (gloo instead of NCCL, one
# round of each benchmark, no cost bound: its numbers mean nothing; tests/test_gpu_script.py runs it).
# Python: $NOISESCOPE_PYTHON, else ${NOISESCOPE_VENV:-$HOME/.cache/noisescope/venv}/bin/python, else python3;
# it needs a CUDA build of torch. NOISESCOPE_GPU_CHECK_TIMEOUT: seconds per check (default 150).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${NOISESCOPE_PYTHON:-${NOISESCOPE_VENV:-$HOME/.cache/noisescope/venv}/bin/python}
[ -x "$python" ] || python=python3
limit=${NOISESCOPE_GPU_CHECK_TIMEOUT:-150}
start=$(date +%s)

target=${NOISESCOPE_GPU_CHECK_DEVICE:-cuda}
if [ "$target" = cpu ]; then
    echo "noisescope_torch GPU check: DRY RUN on the CPU (the script's logic only; no GPU was checked)"
    equivalence=(--device cpu); cost=(--device cpu --rounds 1 --steps 1 --warmup 1 --models mlp --info)
    overhead=(--device cpu --rounds 1 --steps 10 --warmup 1 --check-max 100); torch_cuda=1; device=cpu
else
    equivalence=(--device cuda); cost=(--device cuda --rounds 6 --steps 5 --warmup 3 --info)
    overhead=(--device cuda --rounds 10 --check-max 0.05)
fi

gpus=0
if [ "$target" = cpu ]; then :; elif command -v nvidia-smi >/dev/null 2>&1; then
    gpus=$(nvidia-smi --list-gpus 2>/dev/null | grep -c '^GPU' || true)
fi
[ "$target" = cpu ] || torch_cuda=$("$python" -c "import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)" 2>/dev/null || echo 0)
if [ "$torch_cuda" -eq 0 ]; then
    if [ "$gpus" -gt 0 ]; then
        echo "FAIL setup: $gpus CUDA device(s) but $python has no CUDA-enabled torch; install one (pip install torch) or set NOISESCOPE_PYTHON"
    else
        echo "FAIL setup: no CUDA device (nvidia-smi lists none; torch.cuda.is_available() is False in $python): this script checks the GPU code path and must run on a machine with an NVIDIA GPU; on a CPU, gpu_equivalence.py --device cpu is its dry run"
    fi
    exit 2
fi
if [ "$target" != cpu ]; then
    device=$("$python" -c "import torch; print(torch.cuda.get_device_name(0))" 2>/dev/null || echo "?")
    echo "noisescope_torch GPU check: $torch_cuda CUDA device(s), $device; $("$python" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda)')"
fi

failed=0; passed=0; skipped=0; infos=0
run() {  # run NAME CMD...: its PASS/FAIL/SKIP/INFO lines, or one FAIL line if it printed none
    local name=$1; shift
    local output status t0=$(date +%s)
    output=$(timeout "$limit" "$@" 2>&1); status=$?
    local lines
    lines=$(printf '%s\n' "$output" | grep -E '^(PASS|FAIL|SKIP|INFO) ' || true)
    if [ -n "$lines" ]; then printf '%s\n' "$lines"; fi
    passed=$((passed + $(printf '%s\n' "$lines" | grep -c '^PASS ' || true)))
    skipped=$((skipped + $(printf '%s\n' "$lines" | grep -c '^SKIP ' || true)))
    infos=$((infos + $(printf '%s\n' "$lines" | grep -c '^INFO ' || true)))
    failed=$((failed + $(printf '%s\n' "$lines" | grep -c '^FAIL ' || true)))
    if [ $status -ne 0 ] && ! printf '%s\n' "$lines" | grep -q '^FAIL '; then
        failed=$((failed + 1))
        if [ $status -eq 124 ]; then
            echo "FAIL $name: timed out after ${limit} s"
        else
            echo "FAIL $name: exit $status: $(printf '%s\n' "$output" | tail -n 1)"
        fi
    fi
    echo "  ($name: $(( $(date +%s) - t0 )) s)"
}
run equivalence "$python" "$here/gpu_equivalence.py" "${equivalence[@]}"
run per-example-cost "$python" "$here/per_example_cost.py" "${cost[@]}"
run hook-overhead-$target-w1 "$python" "$here/hook_overhead.py" --world-size 1 "${overhead[@]}"
if [ "$torch_cuda" -ge 2 ]; then
    run hook-overhead-$target-w2 "$python" "$here/hook_overhead.py" --world-size 2 "${overhead[@]}"
else
    echo "SKIP hook-overhead-$target-w2: $torch_cuda CUDA device; two ranks need one each"
    skipped=$((skipped + 1))
fi
echo "summary: $passed passed, $failed failed, $skipped skipped, $infos info on $device in $(( $(date +%s) - start )) s"
[ $failed -eq 0 ]
