"""Shared pieces of the tests: a tiny model and data, a free port, and the
functions that run inside spawned ranks (importable by name in the children)."""

from __future__ import annotations

import os
import socket
import traceback
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
    """Three runs on the same schedule: DDP float64, DDP float32 and a plain
    (non-DDP) float64 module whose gradients the loop all-reduces itself."""
    from torch.nn.parallel import DistributedDataParallel as DDP
    from noisescope_torch import NoiseRecorder

    init(rank, world, port)
    results = {}
    for name, dtype, use_ddp in (("ddp64", torch.float64, True), ("ddp32", torch.float32, True),
                                 ("manual64", torch.float64, False)):
        model = make_model(dtype)
        x, y = make_data(STEPS * world * BATCH, dtype)
        wrapped = DDP(model) if use_ddp else model
        opt = torch.optim.SGD(wrapped.parameters(), lr=LR)
        recorder = NoiseRecorder(wrapped, os.path.join(out_dir, name), every=EVERY, batch_size=BATCH,
                                 ema_decay=EMA, seed=7)
        records = []
        for step in range(STEPS):
            idx = batch_indices(step, rank, world, BATCH)
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
    torch.save(results, os.path.join(out_dir, f"result.rank{rank}.pt"))
    dist.destroy_process_group()


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


def spawn(fn, out_dir: str, world: int = 2) -> None:
    """Runs ``fn(rank, world, port, out_dir)`` in ``world`` fresh processes
    (gloo on 127.0.0.1, a port free at run time)."""
    import torch.multiprocessing as mp

    mp.spawn(fn, args=(world, free_port(), str(out_dir)), nprocs=world, join=True)
