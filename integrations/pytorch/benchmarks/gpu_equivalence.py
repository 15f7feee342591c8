"""Equivalence checks for the GPU code path (run by gpu_check.sh).

- ``ddp-2rank``: two ranks (NCCL, one GPU each) train the tests' float64 model
  under DDP on the tests' schedule; every steps.jsonl field and every
  per-example sample must equal the one-process float64 CPU emulation of
  tests/test_distributed.py (rtol 1e-10: GPU reductions sum in another
  order). Needs 2 CUDA devices; with one it says SKIP and why.
- ``micro-1gpu``: one process on one GPU, noise from micro-batches, against the
  same run on the CPU (rtol 1e-10).
- ``per-example-f64``: one process on the GPU, per-example noise of every
  model of tests/_per_example_models.py (every rule: Linear and HF's Conv1D
  with sequence dimensions, Embedding with padding, Conv1d/2d, LayerNorm and
  RMSNorm, a causal attention block, ghost + materialised + torch.func mixed,
  tied embeddings), float64, against explicit per-example autograd on the
  same device (rtol 1e-8, as the CPU tests).
- ``per-example-bf16``: the causal block in float32 under bfloat16 autocast
  against float64 autograd (relative 1e-2, the CPU test's bound; no step
  skipped).

Prints one line per check (``PASS``/``FAIL``/``SKIP name: detail``) and exits
non-zero if any check failed; ``--device cuda`` without a CUDA device is one
``FAIL setup`` line and exit 2. ``--device cpu --backend gloo`` runs the same
checks on the CPU (a dry run of this script's logic on a machine without
GPUs; tests/test_gpu_script.py runs it).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

import _workers as w  # noqa: E402
from noisescope_torch import NoiseRecorder, read_log  # noqa: E402

WORLD = 2
FIELDS = ["g_small_sq", "g_big_sq", "g_sq_est", "trace_sigma_est", "b_simple", "g_sq_est_ema",
          "trace_sigma_est_ema", "b_simple_ema"]


def ddp_worker(rank: int, world: int, port: int, out_dir: str, device_type: str, backend: str) -> None:
    from torch.nn.parallel import DistributedDataParallel as DDP

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group(backend, rank=rank, world_size=world, timeout=timedelta(seconds=120))
    if device_type == "cuda":
        torch.cuda.set_device(rank)
        device, ids = torch.device("cuda", rank), [rank]
    else:
        device, ids = torch.device("cpu"), None
    model = w.make_model(torch.float64).to(device)
    x, y = w.make_data(w.STEPS * world * w.BATCH, torch.float64)
    x, y = x.to(device), y.to(device)
    ddp = DDP(model, device_ids=ids)
    opt = torch.optim.SGD(ddp.parameters(), lr=w.LR)
    recorder = NoiseRecorder(ddp, out_dir, every=w.EVERY, batch_size=w.BATCH, ema_decay=w.EMA)
    for step in range(w.STEPS):
        idx = w.batch_indices(step, rank, world, w.BATCH)
        w.mse(ddp, (x[idx], y[idx])).backward()
        recorder.step(step)
        opt.step()
        opt.zero_grad()
    recorder.close()
    dist.destroy_process_group()


def compare(records, reference, noise_key="noise_norms") -> float:
    """Largest relative difference over every field; raises on a mismatch of steps."""
    if [r["step"] for r in records] != [r["step"] for r in reference]:
        raise AssertionError(f"steps {[r['step'] for r in records]} != {[r['step'] for r in reference]}")
    worst = 0.0
    for got, want in zip(records, reference):
        for key in [noise_key] + FIELDS:
            a, b = np.asarray(got[key], dtype=np.float64), np.asarray(want[key], dtype=np.float64)
            worst = max(worst, float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))))
    return worst


def micro_run(device: torch.device, log_dir: str):
    model = w.make_model(torch.float64).to(device)
    x, y = w.make_data(w.STEPS * WORLD * w.BATCH, torch.float64)
    x, y = x.to(device), y.to(device)
    opt = torch.optim.SGD(model.parameters(), lr=w.LR)
    recorder = NoiseRecorder(model, log_dir, every=w.EVERY, loss_fn=w.criterion, micro_batches=WORLD,
                             micro_samples=WORLD, ema_decay=w.EMA)
    for step in range(w.STEPS):
        idx = slice(step * WORLD * w.BATCH, (step + 1) * WORLD * w.BATCH)
        w.mse(model, (x[idx], y[idx])).backward()
        recorder.step(step, inputs=x[idx], targets=y[idx])
        opt.step()
        opt.zero_grad()
    recorder.close()
    return read_log(log_dir).steps


def per_example_f64(device: torch.device, out: str) -> str:
    """PASS/FAIL line: every tests model, float64, on ``device``, against autograd there."""
    import _per_example_models as m

    worst, names = 0.0, []
    for name in m.CASES:
        model, inputs, targets, loss = m.case(name)
        model = model.to(device)
        inputs, targets = tuple(x.to(device) for x in inputs), targets.to(device)
        want = m.noise(m.per_example_grads(
            model, lambda i: loss(model(*m.slice_inputs(inputs, i)), targets[i:i + 1]), m.N)).cpu()
        recorder = NoiseRecorder(model, os.path.join(out, f"f64-{name}"), every=1)
        loss(model(*inputs), targets).backward()
        recorder.step(0)
        recorder.close()
        worst = max(worst, m.rel(read_log(os.path.join(out, f"f64-{name}")).per_example, want))
        names.append(name)
    ok = worst <= 1e-8
    return (f"{'PASS' if ok else 'FAIL'} per-example-f64-{device.type}: {len(names)} models ({', '.join(names)}), "
            f"max relative difference {worst:.2e} against per-example autograd on {device} (rtol 1e-8)")


def per_example_bf16(device: torch.device, out: str) -> str:
    """PASS/FAIL line: the causal block in float32 under bfloat16 autocast, against float64 autograd."""
    import _per_example_models as m

    model, inputs, targets, loss = m.case("block")
    want = m.noise(m.per_example_grads(model, lambda i: loss(model(*m.slice_inputs(inputs, i)), targets[i:i + 1]),
                                       m.N))
    model = model.float().to(device)
    recorder = NoiseRecorder(model, os.path.join(out, "bf16"), every=1)
    with torch.autocast(device.type, dtype=torch.bfloat16):
        output = model(inputs[0].float().to(device))
    loss(output.float(), targets.float().to(device)).backward()
    recorder.step(0)
    recorder.close()
    log = read_log(os.path.join(out, "bf16"))
    skipped = log.manifest["per_example"]["skipped_steps"]
    complete = log.per_example is not None and len(log.per_example) == m.N
    error = m.rel(log.per_example, want) if complete else float("inf")
    ok = error <= 1e-2 and not any(skipped.values())
    return (f"{'PASS' if ok else 'FAIL'} per-example-bf16-{device.type}: causal block, float32 under bfloat16 "
            f"autocast, relative difference {error:.2e} against float64 autograd (bound 1e-2), skipped steps "
            f"{skipped}")


def cuda_missing() -> str:
    return (f"FAIL setup: --device cuda but torch.cuda.is_available() is False (torch {torch.__version__}, CUDA "
            f"build {torch.version.cuda or 'none'}): this checks the GPU code path; run it on a machine with an "
            f"NVIDIA GPU and a CUDA build of torch, or pass --device cpu for a dry run")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--backend", default=None, help="default: nccl on cuda, gloo on cpu")
    parser.add_argument("--rtol", type=float, default=1e-10)
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        print(cuda_missing())
        return 2
    backend = args.backend or ("nccl" if args.device == "cuda" else "gloo")
    from test_distributed import reference_run      # the tests' one-process float64 emulation (CPU)
    reference = reference_run()
    failed = False
    out = tempfile.mkdtemp(prefix="noisescope_gpu_check_")

    devices = torch.cuda.device_count() if args.device == "cuda" else WORLD
    if devices < WORLD:
        print(f"SKIP ddp-2rank-{backend}: {devices} CUDA device(s); two ranks need one each")
    else:
        import torch.multiprocessing as mp
        log_dir = os.path.join(out, "ddp")
        try:
            mp.spawn(w.exit_after, args=(ddp_worker, WORLD, w.free_port(), log_dir, args.device, backend),
                     nprocs=WORLD, join=True)
            log = read_log(log_dir)
            worst = compare(log.steps, reference)
            want = np.concatenate([r["per_example"] for r in reference])
            got = log.per_example if log.per_example is not None else np.zeros(0)
            examples = float(np.max(np.abs(got - want) / want)) if got.shape == want.shape else float("inf")
            ok = worst <= args.rtol and examples <= args.rtol
            failed |= not ok
            print(f"{'PASS' if ok else 'FAIL'} ddp-2rank-{backend}: {len(reference)} records, max relative "
                  f"difference {worst:.2e} (fields) and {examples:.2e} ({want.size} per-example samples) against "
                  f"the float64 CPU emulation (rtol {args.rtol:g})")
        except Exception as error:  # one line, whatever failed
            failed = True
            print(f"FAIL ddp-2rank-{backend}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")

    device = torch.device(args.device, 0) if args.device == "cuda" else torch.device("cpu")
    try:
        on_device = micro_run(device, os.path.join(out, "micro-device"))
        worst = compare(on_device, reference)
        ok = worst <= args.rtol
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'} micro-1{'gpu' if args.device == 'cuda' else 'cpu'}: one process on "
              f"{device}, {len(on_device)} records, max relative difference {worst:.2e} against the float64 CPU "
              f"emulation (rtol {args.rtol:g})")
    except Exception as error:
        failed = True
        print(f"FAIL micro-1gpu: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    for check in (per_example_f64, per_example_bf16):
        try:
            line = check(device, out)
        except Exception as error:
            line = f"FAIL {check.__name__.replace('_', '-')}-{device.type}: {type(error).__name__}: {error}"
        failed |= line.startswith("FAIL")
        print(line.splitlines()[0])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
