"""Functions that run inside spawned ranks for test_fsdp.py: the same
training, on the same examples, with the model sharded by
``torch.distributed.fsdp.fully_shard`` (FSDP2) and wrapped in DDP."""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
from torch import nn

import _workers as w


class SeqModel(nn.Module):
    """Embedding, LayerNorm, a Linear over the sequence and a head: the
    embedding, norm and linear rules under sharding."""

    def __init__(self, vocab: int = 13, d: int = 6):
        super().__init__()
        torch.manual_seed(0)
        self.embed, self.norm = nn.Embedding(vocab, d), nn.LayerNorm(d)
        self.mlp, self.head = nn.Linear(d, d), nn.Linear(d, 2)

    def forward(self, tokens):
        return self.head(torch.tanh(self.mlp(self.norm(self.embed(tokens)))).mean(dim=1))


def seq_data(n: int):
    g = torch.Generator().manual_seed(4)
    return torch.randint(0, 13, (n, 5), generator=g), torch.randn(n, 2, generator=g, dtype=torch.float64) * 2


def shard(model: nn.Module) -> nn.Module:
    from torch.distributed.fsdp import fully_shard
    for module in model.modules():
        if module is not model and any(True for _ in module.parameters(recurse=False)):
            fully_shard(module)
    return fully_shard(model)


def fsdp_worker(rank: int, world: int, port: int, out_dir: str) -> None:
    """Runs: the tests' MLP under fully_shard and under DDP; the same MLP
    with two accumulated micro-steps (FSDP2: no gradient sync on the first);
    SeqModel under fully_shard and under DDP."""
    from torch.nn.parallel import DistributedDataParallel as DDP
    from noisescope_torch import NoiseRecorder

    w.init(rank, world, port)
    for name in ("fsdp64", "ddp64", "fsdp64_accum", "seq_fsdp", "seq_ddp"):
        seq = name.startswith("seq")
        model = SeqModel().double() if seq else w.make_model(torch.float64)
        model = shard(model) if "fsdp" in name else DDP(model)
        x, y = seq_data(w.STEPS * world * w.BATCH) if seq else w.make_data(w.STEPS * world * w.BATCH)
        opt = torch.optim.SGD(model.parameters(), lr=w.LR)
        recorder = NoiseRecorder(model, os.path.join(out_dir, name), every=w.EVERY, batch_size=w.BATCH,
                                 ema_decay=w.EMA)
        loss = (lambda i: ((model(x[i]) - y[i]) ** 2).mean())
        for step in range(w.STEPS):
            idx = w.batch_indices(step, rank, world, w.BATCH)
            if name == "fsdp64_accum":
                half = w.BATCH // 2
                model.set_requires_gradient_sync(False)
                (loss(slice(idx.start, idx.start + half)) / 2).backward()
                model.set_requires_gradient_sync(True)
                (loss(slice(idx.start + half, idx.stop)) / 2).backward()
            else:
                loss(idx).backward()
            recorder.step(step)
            opt.step()
            opt.zero_grad()
        recorder.close()
    dist.destroy_process_group()


def refusal_worker(rank: int, world: int, port: int, out_dir: str) -> None:
    """What fully_shard models are refused, in one line, on every rank."""
    from noisescope_torch import NoiseRecorder

    w.init(rank, world, port)
    messages = []
    for name, build in (("batchnorm", lambda: nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))),
                        ("attention", lambda: nn.Sequential(nn.MultiheadAttention(4, 2)))):
        try:
            from torch.distributed.fsdp import fully_shard
            NoiseRecorder(fully_shard(build().double()), os.path.join(out_dir, name), every=1)
            messages.append(f"{name}: no error")
        except ValueError as error:
            messages.append(f"{name}: {error}")
    with open(os.path.join(out_dir, f"messages.rank{rank}.txt"), "w") as f:
        f.write("\n".join(messages) + "\n")
    dist.destroy_process_group()
