"""What NoiseRecorder's per-rank and micro-batch noise costs a training step
(a benchmark, not a test; ``per_example=False``). The cost of per-example
noise, the default, is measured by ``per_example_cost.py``.

A tinygpt-like model (pre-LayerNorm decoder on bytes: vocabulary 256, context
64, width 64, 2 blocks, 4 heads, MLP 4x, tied output embedding; batch 8 windows
of the byte corpus) trains with Adam in two identical copies:

  plain     -- no recorder (with DDP: DDP's built-in C++ all-reduce, no hook)
  recorded  -- NoiseRecorder(every=10) (with DDP: its comm hook on every step,
               armed on every 10th; JSONL line and NPY rewrites at each record)

Steps alternate in rounds (plain, recorded, recorded, plain, ...), so that
machine drift (other jobs, thermal) hits both alike. ``--control`` runs the
same comparison with no recorder in either copy: what it reports is the noise
floor of the measurement on this machine. The overhead is
(recorded time - plain time) / plain time per training step, from the totals
and as the median of per-round ratios. Since that A/B difference is small
against machine noise, the script also reports the direct cost: the time spent
inside ``recorder.step()`` plus the extra backward time of recording steps (the
hook's copy and comparison), per training step. With --world-size 2 (default) both
copies are DistributedDataParallel over gloo on 127.0.0.1, one thread per rank;
with --world-size 1 the recorder recomputes the gradients of micro-batches of
the batch on recording steps (``--single micro``, the default: ``loss_fn=``,
``step(inputs=, targets=)``; cost inside ``recorder.step()``) or measures the
noise against a fixed reference gradient (``--single reference``).

    python integrations/pytorch/benchmarks/hook_overhead.py            # 2 ranks
    python integrations/pytorch/benchmarks/hook_overhead.py --world-size 1
    python integrations/pytorch/benchmarks/hook_overhead.py --world-size 1 --single reference
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from datetime import timedelta

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))

from noisescope_torch import NoiseRecorder  # noqa: E402

CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "Sources", "NoiseScopeModels", "BundledData", "prideprejudice.txt"))


class Block(nn.Module):
    def __init__(self, d: int, heads: int, layers: int, std: float):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.fcp = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        for lin, s in ((self.qkv, std), (self.fc, std), (self.proj, std / math.sqrt(2 * layers)),
                       (self.fcp, std / math.sqrt(2 * layers))):
            nn.init.normal_(lin.weight, std=s)
            nn.init.zeros_(lin.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y)
        return x + self.fcp(F.gelu(self.fc(self.ln2(x))))


class TinyGPT(nn.Module):
    def __init__(self, vocab: int = 256, context: int = 64, d: int = 64, layers: int = 2, heads: int = 4,
                 std: float = 0.02):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(context, d)
        nn.init.normal_(self.wte.weight, std=std)
        nn.init.normal_(self.wpe.weight, std=std)
        self.blocks = nn.ModuleList(Block(d, heads, layers, std) for _ in range(layers))
        self.lnf = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.wte.weight            # tied, through a module (per-example noise sees both uses)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.wte(tokens) + self.wpe(torch.arange(tokens.shape[1], device=tokens.device))
        for block in self.blocks:
            x = block(x)
        return self.head(self.lnf(x))


def windows(context: int) -> torch.Tensor:
    data = torch.frombuffer(bytearray(open(CORPUS, "rb").read()), dtype=torch.uint8).long()
    n = (data.numel() - 1) // context
    return data[: n * context + 1], n


def lm_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits.reshape(-1, 256), targets.reshape(-1))


def median_ms(values):
    return 1e3 * statistics.median(values) if values else None


def run(rank: int, world: int, port: int, args: argparse.Namespace, out: str) -> None:
    torch.set_num_threads(args.threads)
    cuda = args.device == "cuda"
    if cuda:
        torch.cuda.set_device(rank)
    device = torch.device("cuda", rank) if cuda else torch.device("cpu")
    if world > 1:
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        dist.init_process_group("nccl" if cuda else "gloo", rank=rank, world_size=world, timeout=timedelta(seconds=120))

    def sync() -> None:
        if cuda:
            torch.cuda.synchronize()

    data, count = windows(args.context)
    data = data.to(device)
    generator = torch.Generator().manual_seed(1000 + rank)

    def batch():
        starts = (torch.randint(0, count, (args.batch,), generator=generator) * args.context).to(device)
        idx = starts[:, None] + torch.arange(args.context + 1, device=device)
        chunk = data[idx]
        return chunk[:, :-1], chunk[:, 1:]

    copies = {}
    log_dir = os.path.join(out, "noise")
    for name in ("plain", "recorded"):
        torch.manual_seed(0)
        model = TinyGPT(context=args.context, d=args.width, layers=args.layers, heads=args.heads).to(device)
        ids = [rank] if cuda else None
        wrapped = nn.parallel.DistributedDataParallel(model, device_ids=ids) if world > 1 else model
        recorder = None
        if name == "recorded" and not args.control:
            single = {}
            if world == 1 and args.single == "reference":
                single = {"reference": torch.zeros(sum(p.numel() for p in model.parameters()))}
            elif world == 1:
                single = {"loss_fn": lm_loss, "micro_batches": args.micro_batches,
                          "micro_samples": args.micro_samples}
            recorder = NoiseRecorder(wrapped, log_dir, every=args.every, batch_size=args.batch, seed=0,
                                     per_layer=args.per_layer == "on", per_example=False, **single)
        copies[name] = {"model": wrapped, "opt": torch.optim.Adam(wrapped.parameters(), lr=1e-3),
                        "recorder": recorder, "step": 0, "seconds": 0.0, "in_step_call": 0.0,
                        "backward": {True: [], False: []}}

    def train(copy, steps: int) -> float:
        model, opt, recorder = copy["model"], copy["opt"], copy["recorder"]
        sync()
        start = time.perf_counter()
        for _ in range(steps):
            x, y = batch()
            loss = lm_loss(model(x), y)
            armed = recorder is not None and recorder.will_record_next
            sync()
            t = time.perf_counter()
            loss.backward()
            sync()
            copy["backward"][armed].append(time.perf_counter() - t)
            if recorder is not None:
                t = time.perf_counter()
                recorder.step(copy["step"], inputs=x, targets=y)
                sync()
                copy["in_step_call"] += time.perf_counter() - t
            opt.step()
            opt.zero_grad(set_to_none=True)
            copy["step"] += 1
        sync()
        return time.perf_counter() - start

    for copy in copies.values():                     # warm-up (DDP bucket rebuild, allocator)
        train(copy, args.warmup)
        copy["in_step_call"] = 0.0
        copy["backward"] = {True: [], False: []}
    ratios = []
    for r in range(args.rounds):
        order = ("plain", "recorded") if r % 2 == 0 else ("recorded", "plain")
        seconds = {name: train(copies[name], args.steps) for name in order}
        for name, s in seconds.items():
            copies[name]["seconds"] += s
        ratios.append(seconds["recorded"] / seconds["plain"])
    if copies["recorded"]["recorder"] is not None:
        copies["recorded"]["recorder"].close()
    if rank == 0:
        plain, recorded = copies["plain"]["seconds"], copies["recorded"]["seconds"]
        steps = args.rounds * args.steps
        parameters = sum(p.numel() for p in copies["plain"]["model"].parameters())
        steps_file = os.path.join(log_dir, "steps.jsonl")
        records = sum(1 for _ in open(steps_file)) if os.path.exists(steps_file) else 0
        result = {
            "control": args.control, "world_size": world, "device": args.device,
            "single": args.single if world == 1 else None,
            "micro_batches": args.micro_batches if world == 1 and args.single == "micro" else None,
            "micro_samples": args.micro_samples if world == 1 and args.single == "micro" else None, "parameters": parameters, "batch_per_rank": args.batch, "every": args.every,
            "rounds": args.rounds, "steps_per_round": args.steps, "records": records,
            "plain_ms_per_step": 1e3 * plain / steps, "recorded_ms_per_step": 1e3 * recorded / steps,
            "overhead_total": recorded / plain - 1, "overhead_median_round": statistics.median(ratios) - 1,
            "recorder_step_call_ms_per_step": 1e3 * copies["recorded"]["in_step_call"] / steps,
            "backward_ms_median_recording_steps": median_ms(copies["recorded"]["backward"][True]),
            "backward_ms_median_other_steps": median_ms(copies["recorded"]["backward"][False]),
            "round_overheads": [round(x - 1, 4) for x in ratios],
        }
        extra = 0.0   # one process: no hook, backward is unchanged (its timing difference is noise)
        if world > 1 and result["backward_ms_median_recording_steps"] is not None and \
                result["backward_ms_median_other_steps"]:
            extra = (result["backward_ms_median_recording_steps"] - result["backward_ms_median_other_steps"]) / args.every
        result["direct_cost_ms_per_step"] = result["recorder_step_call_ms_per_step"] + extra
        result["direct_cost_fraction"] = result["direct_cost_ms_per_step"] / result["plain_ms_per_step"]
        with open(os.path.join(out, "result.json"), "w") as f:
            json.dump(result, f)
    if world > 1:
        dist.destroy_process_group()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--world-size", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--steps", type=int, default=20, help="steps per copy per round (a multiple of --every)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--context", type=int, default=64)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per rank")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="cuda: one GPU per rank, NCCL between ranks (synchronised timings)")
    parser.add_argument("--single", choices=("micro", "reference"), default="micro",
                        help="world size 1: noise from micro-batches of the batch (default) or against a reference")
    parser.add_argument("--micro-batches", type=int, default=8, help="world size 1, --single micro: m")
    parser.add_argument("--micro-samples", type=int, default=1, help="world size 1, --single micro: k")
    parser.add_argument("--per-layer", choices=("on", "off"), default="on",
                        help="per-tensor and per-group statistics (the recorder's default: on)")
    parser.add_argument("--control", action="store_true",
                        help="A/A control: the second copy has no recorder either (shows the noise floor)")
    parser.add_argument("--check-max", type=float, default=None,
                        help="end with one PASS/FAIL line: direct cost at most this fraction of a step (e.g. 0.05)")
    args = parser.parse_args()
    out = tempfile.mkdtemp(prefix="noisescope_overhead_")
    try:
        if args.world_size > 1:
            import torch.multiprocessing as mp
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            mp.spawn(run, args=(args.world_size, port, args, out), nprocs=args.world_size, join=True)
        else:
            run(0, 1, 0, args, out)
        result = json.load(open(os.path.join(out, "result.json")))
        result["per_layer"] = args.per_layer
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(json.dumps(result, indent=2))
    print(f"{'A/A CONTROL (no recorder in either copy): ' if result['control'] else ''}"
          f"tinygpt {result['parameters']:,} parameters, {result['device']}, world size {result['world_size']}"
          f"{'' if result['single'] is None else ' (' + result['single'] + (' m=%s k=%s' % (result['micro_batches'], result['micro_samples']) if result['micro_batches'] else '') + ')'}, batch "
          f"{result['batch_per_rank']}/rank, recording every {result['every']} steps: "
          f"{result['plain_ms_per_step']:.2f} ms/step plain, {result['recorded_ms_per_step']:.2f} ms/step recorded; "
          f"overhead {100 * result['overhead_total']:+.2f} % (total), "
          f"{100 * result['overhead_median_round']:+.2f} % (median of {result['rounds']} rounds); "
          f"time inside recorder.step(): {result['recorder_step_call_ms_per_step']:.3f} ms/step; direct cost "
          f"(step() + extra backward time of recording steps / every): {result['direct_cost_ms_per_step']:.3f} "
          f"ms/step = {100 * result['direct_cost_fraction']:.2f} %")
    if args.check_max is not None:
        ok = result["direct_cost_fraction"] <= args.check_max
        mode = f"{result['device']}-w{result['world_size']}" + (f"-{result['single']}" if result["single"] else "")
        print(f"{'PASS' if ok else 'FAIL'} hook-overhead-{mode}: direct cost {100 * result['direct_cost_fraction']:.2f} % "
              f"of a {result['plain_ms_per_step']:.2f} ms step (limit {100 * args.check_max:g} %), A/B "
              f"{100 * result['overhead_total']:+.2f} %")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
