"""Spawned ranks of test_optim.py: each optimizer trains a DDP model on two
gloo ranks (each rank its half of the batch); the final parameters are saved
per rank and compared in the test with a one-process run on the whole batch."""

from __future__ import annotations

import os

import torch
from torch.nn.parallel import DistributedDataParallel

import _workers as w
from noisescope_torch import optim

KINDS = {
    "acclip": lambda p: optim.ACClip(p, lr=0.05, weight_decay=0.01),
    "clip-adam-norm": lambda p: optim.ClipAdamNorm(p, lr=0.05, clip=0.5),
    "delayed-clip-adagrad-norm": lambda p: optim.DelayedClipAdaGradNorm(p, lr=0.05, clip=0.5, b0=0.5),
}
STEPS, BATCH = 5, 8


def train(kind: str, model: torch.nn.Module, rank: int, world: int) -> None:
    """STEPS steps; rank r of W gets rows r*B/W .. (r+1)*B/W - 1 of each batch of B."""
    x, y = w.make_data(STEPS * BATCH)
    opt = KINDS[kind](model.parameters())
    local = BATCH // world
    for s in range(STEPS):
        rows = slice(s * BATCH + rank * local, s * BATCH + (rank + 1) * local)
        opt.zero_grad()
        w.mse(model, (x[rows], y[rows])).backward()
        opt.step()


def ddp_optimizer_worker(rank: int, world: int, port: int, out_dir: str) -> None:
    w.init(rank, world, port)
    for kind in KINDS:
        model = DistributedDataParallel(w.make_model())
        train(kind, model, rank, world)
        flat = torch.cat([p.detach().reshape(-1) for p in model.module.parameters()])
        torch.save(flat, os.path.join(out_dir, f"{kind}.rank{rank}.pt"))
