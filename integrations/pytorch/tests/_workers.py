"""Shared pieces of the tests: a tiny model and data, a free port, and the
functions that run inside spawned ranks (importable by name in the children)."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

import torch
import torch.distributed as dist

IN, HIDDEN, OUT = 5, 7, 2


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_model(dtype=torch.float64, hidden: int = HIDDEN, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(IN, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, OUT)).to(dtype)


def make_data(n: int, dtype=torch.float64, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, IN, generator=g, dtype=torch.float64)
    # Heavy-ish targets so that gradients differ visibly between batches.
    y = torch.randn(n, OUT, generator=g, dtype=torch.float64) * (1 + 3 * torch.rand(n, 1, generator=g, dtype=torch.float64))
    return x.to(dtype), y.to(dtype)


def mse(model, batch):
    x, y = batch
    return ((model(x) - y) ** 2).mean()


def criterion(output, target):
    """The loss of ``mse`` as ``loss_fn(output, targets)`` for NoiseRecorder."""
    return ((output - target) ** 2).mean()


def batch_indices(step: int, rank: int, world: int, b: int) -> slice:
    """Rank r's minibatch at step s: the (s·W + r)-th block of b examples."""
    start = (step * world + rank) * b
    return slice(start, start + b)


# Training schedule shared by the DDP test and its single-process reference.
STEPS, EVERY, BATCH, LR, EMA = 9, 2, 6, 0.05, 0.8


def init(rank: int, world: int, port: int) -> None:
    torch.set_num_threads(1)
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world, timeout=timedelta(seconds=60))


def ddp_equivalence_worker(rank: int, world: int, port: int, out_dir: str) -> None:
    """Runs on the same schedule: DDP float64; DDP float64 with gradient
    accumulation (two half-batches, the first under no_sync()); DDP float64 with
    a user comm hook passed through; DDP float32; and a plain (non-DDP) float64
    module whose gradients the loop all-reduces itself."""
    from torch.distributed.algorithms.ddp_comm_hooks.default_hooks import allreduce_hook
    from torch.nn.parallel import DistributedDataParallel as DDP
    from noisescope_torch import NoiseRecorder

    init(rank, world, port)
    results = {}
    for name, dtype, use_ddp in (("ddp64", torch.float64, True), ("ddp64_accum", torch.float64, True),
                                 ("ddp64_userhook", torch.float64, True), ("ddp32", torch.float32, True),
                                 ("manual64", torch.float64, False)):
        model = make_model(dtype)
        x, y = make_data(STEPS * world * BATCH, dtype)
        wrapped = DDP(model) if use_ddp else model
        opt = torch.optim.SGD(wrapped.parameters(), lr=LR)
        hook = {"comm_hook": allreduce_hook, "comm_state": None} if name == "ddp64_userhook" else {}
        recorder = NoiseRecorder(wrapped, os.path.join(out_dir, name), every=EVERY, batch_size=BATCH,
                                 ema_decay=EMA, seed=7, **hook)
        records = []
        for step in range(STEPS):
            idx = batch_indices(step, rank, world, BATCH)
            if name == "ddp64_accum":
                half = BATCH // 2
                first, second = slice(idx.start, idx.start + half), slice(idx.start + half, idx.stop)
                with wrapped.no_sync():
                    (mse(wrapped, (x[first], y[first])) / 2).backward()
                (mse(wrapped, (x[second], y[second])) / 2).backward()
            else:
                mse(wrapped, (x[idx], y[idx])).backward()
            record = recorder.step(step)
            if record is not None:
                records.append(record)
            if not use_ddp:  # the loop's own gradient averaging, after recorder.step
                for p in model.parameters():
                    dist.all_reduce(p.grad)
                    p.grad.div_(world)
            opt.step()
            opt.zero_grad()
        recorder.close()
        results[name] = {"records": records, "rank_norms": recorder.noise_norms.tolist()}
    known_truth_run(rank, world, os.path.join(out_dir, "truth"))
    torch.save(results, os.path.join(out_dir, f"result.rank{rank}.pt"))
    dist.destroy_process_group()


# Linear regression at w = 0 on fresh Gaussian data: x ~ N(0, I_d), y = x.w* + sigma e,
# loss mean (x.w - y)^2, per-example gradient -2 y x, so G = -2 w*, |G|^2 = 4|w*|^2 and
# tr(Sigma) = E|g|^2 - |G|^2 = 4((d + 1)|w*|^2 + sigma^2 d).
TRUTH_D, TRUTH_SIGMA, TRUTH_STEPS, TRUTH_B = 5, 2.0, 400, 8
TRUTH_W = [0.5, -1.0, 0.25, 0.0, 1.5]


def known_truth_run(rank: int, world: int, log_dir: str) -> None:
    from torch.nn.parallel import DistributedDataParallel as DDP
    from noisescope_torch import NoiseRecorder

    model = torch.nn.Linear(TRUTH_D, 1, bias=False).double()
    torch.nn.init.zeros_(model.weight)
    ddp = DDP(model)
    w_star = torch.tensor(TRUTH_W, dtype=torch.float64)
    g = torch.Generator().manual_seed(100 + rank)
    with NoiseRecorder(ddp, log_dir, every=1, batch_size=TRUTH_B) as recorder:
        for step in range(TRUTH_STEPS):          # lr 0: the parameters stay at w = 0
            x = torch.randn(TRUTH_B, TRUTH_D, generator=g, dtype=torch.float64)
            y = x @ w_star + TRUTH_SIGMA * torch.randn(TRUTH_B, generator=g, dtype=torch.float64)
            ((ddp(x).squeeze(1) - y) ** 2).mean().backward()
            recorder.step(step)
            ddp.zero_grad()


MEASURE_N, MEASURE_B, MEASURE_FULL_B, MEASURE_SAMPLES, MEASURE_SEED = 103, 8, 16, 20, 3


def measure_worker(rank: int, world: int, port: int, out_dir: str) -> None:
    from torch.utils.data import TensorDataset
    from noisescope_torch import measure_noise

    init(rank, world, port)
    model = make_model(torch.float64)
    x, y = make_data(MEASURE_N, torch.float64, seed=5)
    result = measure_noise(model, mse, TensorDataset(x, y), MEASURE_B, seed=MEASURE_SEED,
                           log_dir=os.path.join(out_dir, "measure"), samples=MEASURE_SAMPLES,
                           full_batch_size=MEASURE_FULL_B)
    torch.save({"full_gradient": result.full_gradient, "noise_norms": result.noise_norms,
                "rank_noise_norms": result.rank_noise_norms, "examples": result.examples,
                "full_gradient_norm": result.full_gradient_norm},
               os.path.join(out_dir, f"measure.rank{rank}.pt"))
    dist.destroy_process_group()


def mismatch_worker(rank: int, world: int, port: int, out_dir: str) -> None:
    """Rank 1 holds a wider model; both the recorder and measure_noise must refuse."""
    from torch.utils.data import TensorDataset
    from noisescope_torch import NoiseRecorder, RankMismatchError, measure_noise

    init(rank, world, port)
    model = make_model(torch.float64, hidden=HIDDEN + rank)
    messages = []
    try:
        NoiseRecorder(model, os.path.join(out_dir, "rec"), every=1, batch_size=4)
        messages.append("recorder: no error")
    except RankMismatchError as error:
        messages.append(f"recorder: {error}")
    x, y = make_data(40)
    try:
        measure_noise(model, mse, TensorDataset(x, y), 4, seed=0, log_dir=os.path.join(out_dir, "meas"))
        messages.append("measure: no error")
    except RankMismatchError as error:
        messages.append(f"measure: {error}")
    # The process group still works after the refusal (nothing hung or half-ran).
    t = torch.ones(1)
    dist.all_reduce(t)
    messages.append(f"allreduce after: {t.item()}")
    with open(os.path.join(out_dir, f"messages.rank{rank}.txt"), "w") as f:
        f.write("\n".join(messages) + "\n")
    dist.destroy_process_group()


def run_killable_training() -> None:
    """Entry point of tests/_train_until_killed.py: DDP training that records
    every step and never stops by itself (the test SIGKILLs it)."""
    from torch.nn.parallel import DistributedDataParallel as DDP
    from noisescope_torch import NoiseRecorder

    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world, timeout=timedelta(seconds=30))
    model = DDP(make_model(torch.float64, hidden=64))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = make_data(4096, torch.float64)
    with NoiseRecorder(model, os.environ["NOISE_LOG_DIR"], every=1, batch_size=8, npy_flush_seconds=0) as recorder:
        for step in range(1_000_000):
            idx = batch_indices(step % 200, rank, world, 8)
            mse(model, (x[idx], y[idx])).backward()
            recorder.step(step)
            opt.step()
            opt.zero_grad()


def exit_after(rank: int, fn, *args) -> None:
    """Runs ``fn(rank, *args)`` in a spawned rank, then leaves without the
    interpreter's finalisation. About 1 run in 10 on a loaded 2-core machine a
    rank aborted at interpreter shutdown after its function had returned
    ("terminate called without an active exception", no Python frame: a
    torch/gloo thread torn down at exit; torch 2.13 CPU), failing mp.spawn.
    An exception in ``fn`` still propagates (and fails the spawn)."""
    import sys

    fn(rank, *args)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def spawn(fn, out_dir: str, world: int = 2) -> None:
    """Runs ``fn(rank, world, port, out_dir)`` in ``world`` fresh processes
    (gloo on 127.0.0.1, a port free at run time)."""
    import torch.multiprocessing as mp

    mp.spawn(exit_after, args=(fn, world, free_port(), str(out_dir)), nprocs=world, join=True)
