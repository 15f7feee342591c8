"""What per-example noise costs (a benchmark, not a test; issue 22's targets).

In one run, on the CPU it names (or one CUDA device), for two models at batch
32 trained with Adam:

- tinygpt: the pre-LN byte-level decoder of ``hook_overhead.py`` (vocabulary
  256, context 64, tied output head) at ``--width``/``--layers``;
- mlp: 4 Linear layers, 784 -> 512 -> 512 -> 512 -> 10, cross-entropy.

Two copies of each model take turns in rounds (so that machine drift hits
both alike): plain, and recording (every step recorded). The plain copy has a
recorder attached whose schedule is never due: the time inside its
``step()`` is the cost of a step that is not recorded (the hooks exist only
while a step is armed, so forward and backward are the plain ones), and is
left out of the plain time. Reported per model, each the median over rounds
of the per-step time:

- a recording step as a multiple of a plain step (forward, backward,
  optimizer; target <= 1.5);
- the whole-run overhead of a 10,000-step run under the default schedule
  (every step until 5,000 samples, then every 10th: R = 1,141 recorded steps
  at batch 32), from the measured times: (R (t_rec - t_plain) + (S - R)
  t_idle) / (S t_plain) (target <= 10 %);
- the extra peak memory of recording: two fresh processes run the same steps
  plain and recorded; each measures its peak above what it held once the
  model was built (CUDA: ``max_memory_allocated``; CPU: the peak resident set
  VmHWM, reset through ``/proc/self/clear_refs``); the difference.

    python integrations/pytorch/benchmarks/per_example_cost.py [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))
sys.path.insert(0, HERE)

from hook_overhead import TinyGPT  # noqa: E402
from noisescope_torch import NoiseRecorder  # noqa: E402
from noisescope_torch._schedule import Schedule  # noqa: E402

RUN_STEPS = 10_000


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform
    return platform.processor() or platform.machine()


def make(name: str, args, device):
    """(model, batch function, loss function) of a benchmark model."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    if name == "tinygpt":
        model = TinyGPT(context=args.context, d=args.width, layers=args.layers, heads=args.heads)

        def batch():
            x = torch.randint(0, 256, (args.batch, args.context + 1), generator=g).to(device)
            return x[:, :-1], x[:, 1:]

        def loss(out, y):
            return F.cross_entropy(out.reshape(-1, 256), y.reshape(-1))
    else:
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                              nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

        def batch():
            return torch.randn(args.batch, 784, generator=g).to(device), \
                torch.randint(0, 10, (args.batch,), generator=g).to(device)
        loss = F.cross_entropy
    return model.to(device), batch, loss


def sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def recorded_steps(batch: int) -> int:
    """Recording steps of a RUN_STEPS run at this batch under the default schedule."""
    schedule, samples, recorded = Schedule(None, dense=True), 0, 0
    for s in range(RUN_STEPS):
        if schedule.due(s, samples):
            recorded += 1
            samples += batch
    return recorded


def timings(name: str, args, device, out: str) -> dict:
    copies = {}
    for mode in ("plain", "recording"):      # plain: step numbers from 1 on never hit every=10**9
        model, batch, loss = make(name, args, device)
        recorder = NoiseRecorder(model, os.path.join(out, f"{name}-{mode}"), every=1 if mode == "recording"
                                 else 10 ** 9, start_step=1)
        copies[mode] = {"model": model, "batch": batch, "loss": loss, "recorder": recorder, "step": 1,
                        "opt": torch.optim.Adam(model.parameters(), lr=1e-3), "times": [], "in_step": []}

    def train(copy, steps):
        inside = 0.0
        sync(device)
        start = time.perf_counter()
        for _ in range(steps):
            x, y = copy["batch"]()
            copy["loss"](copy["model"](x), y).backward()
            sync(device)
            t = time.perf_counter()
            copy["recorder"].step(copy["step"])
            sync(device)
            inside += time.perf_counter() - t
            copy["opt"].step()
            copy["opt"].zero_grad(set_to_none=True)
            copy["step"] += 1
        sync(device)
        total = time.perf_counter() - start
        return total / steps, inside / steps

    for copy in copies.values():
        train(copy, args.warmup)
    for r in range(args.rounds):
        for mode in (("plain", "recording") if r % 2 == 0 else ("recording", "plain")):
            per_step, inside = train(copies[mode], args.steps)
            copies[mode]["times"].append(per_step - (inside if mode == "plain" else 0.0))
            copies[mode]["in_step"].append(inside)
    t = {mode: statistics.median(c["times"]) for mode, c in copies.items()}
    t["idle"] = statistics.median(copies["plain"]["in_step"])
    per_example = copies["recording"]["recorder"]._pe.manifest()
    for copy in copies.values():
        copy["recorder"].close()
    recorded = recorded_steps(args.batch)
    overhead = (recorded * (t["recording"] - t["plain"]) + (RUN_STEPS - recorded) * t["idle"]) / \
        (RUN_STEPS * t["plain"])
    paths = sorted({f"{p}" for e in per_example["modules"] for p in e["tensors"].values()})
    return {"parameters": sum(p.numel() for p in copies["plain"]["model"].parameters()),
            "plain_ms": 1e3 * t["plain"], "idle_step_call_ms": 1e3 * t["idle"], "recording_ms": 1e3 * t["recording"],
            "recording_over_plain": t["recording"] / t["plain"],
            "run_steps": RUN_STEPS, "run_recorded_steps": recorded, "run_overhead": overhead, "paths": paths}


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def peak_memory(name: str, mode: str, args) -> int:
    """Bytes: the peak over a few training steps above what the process held
    before them (CUDA: peak allocated; CPU: the peak resident set, VmHWM,
    reset through /proc/self/clear_refs once the model is built)."""
    device = torch.device(args.device)
    model, batch, loss = make(name, args, device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    out = tempfile.TemporaryDirectory()
    recorder = NoiseRecorder(model, out.name, every=1) if mode == "recording" else None
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
    else:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")                               # resets VmHWM to the current resident set
        before = _rss_kib("VmRSS") * 1024
    for s in range(args.warmup + 2):
        x, y = batch()
        loss(model(x), y).backward()
        if recorder is not None:
            recorder.step(s)
        opt.step()
        opt.zero_grad(set_to_none=True)
    peak = torch.cuda.max_memory_allocated() if device.type == "cuda" else _rss_kib("VmHWM") * 1024
    if recorder is not None:
        recorder.close()
    out.cleanup()
    return peak - before


def extra_memory(name: str, args) -> float:
    """MiB: peak with recording minus peak without, each from a fresh process."""
    peaks = {}
    for mode in ("plain", "recording"):
        command = [sys.executable, __file__, "--probe", name, mode] + args.forward
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        peaks[mode] = int(done.stdout.strip().splitlines()[-1])
    return (peaks["recording"] - peaks["plain"]) / 2 ** 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--context", type=int, default=64)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--steps", type=int, default=5, help="steps per copy per round")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--models", default="tinygpt,mlp")
    parser.add_argument("--check", action="store_true", help="end with PASS/FAIL against the targets (1.5x, 10 %%)")
    parser.add_argument("--info", action="store_true",
                        help="also print each model's summary as one 'INFO per-example-cost-MODEL: ...' line "
                             "(gpu_check.sh reports them; the 1.5x and 10 %% targets were set on the CPU)")
    parser.add_argument("--probe", nargs=2, metavar=("MODEL", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    args.forward = [f"--{k}={getattr(args, k)}" for k in ("batch", "context", "width", "layers", "heads", "warmup",
                                                         "threads", "device")]
    if args.probe:
        print(peak_memory(args.probe[0], args.probe[1], args))
        return
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print(f"FAIL setup: --device cuda but torch.cuda.is_available() is False (torch {torch.__version__}, CUDA "
              f"build {torch.version.cuda or 'none'}); run on a machine with a GPU or pass --device cpu")
        sys.exit(2)
    where = torch.cuda.get_device_name(0) if device.type == "cuda" else cpu_name()
    result = {"device": where, "threads": args.threads, "torch": torch.__version__, "batch": args.batch,
              "tinygpt": {"width": args.width, "layers": args.layers, "context": args.context}, "models": {}}
    with tempfile.TemporaryDirectory() as out:
        for name in args.models.split(","):
            numbers = timings(name, args, device, out)
            numbers["extra_peak_mib"] = extra_memory(name, args)
            result["models"][name] = numbers
    print(json.dumps(result, indent=2))
    ok = True
    for name, r in result["models"].items():
        print(f"{'INFO per-example-cost-' + name + ': ' if args.info else ''}"
              f"{name} ({r['parameters']:,} parameters, batch {args.batch}, {where}, {args.threads} thread(s)): "
              f"plain step {r['plain_ms']:.1f} ms; recording step {r['recording_ms']:.1f} ms = "
              f"{r['recording_over_plain']:.2f}x plain; a step not recorded +{1e3 * r['idle_step_call_ms']:.0f} us; "
              f"{r['run_steps']:,}-step run with the default schedule ({r['run_recorded_steps']:,} recorded): "
              f"{100 * r['run_overhead']:+.1f} %; extra peak memory {r['extra_peak_mib']:+.1f} MiB; "
              f"paths {', '.join(r['paths'])}")
        ok = ok and r["recording_over_plain"] <= 1.5 and r["run_overhead"] <= 0.10
    if args.check:
        print(("PASS" if ok else "FAIL") + " per-example cost: recording step <= 1.5x plain and a 10,000-step "
              "run <= 10 % on every model")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
