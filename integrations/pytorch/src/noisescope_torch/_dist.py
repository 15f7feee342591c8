"""torch.distributed helpers: every exchange between ranks is a collective on
the process group (gloo on CPU, NCCL on GPU); nothing else crosses ranks."""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.distributed as dist


def group_info(group: Optional[dist.ProcessGroup]) -> Tuple[int, int]:
    """(rank, world_size) in ``group``; (0, 1) when torch.distributed is not initialised."""
    if not (dist.is_available() and dist.is_initialized()):
        return 0, 1
    return dist.get_rank(group), dist.get_world_size(group)


def comm_device(group: Optional[dist.ProcessGroup]) -> torch.device:
    """Where small tensors for collectives live: the current CUDA device for
    NCCL-only groups, the CPU otherwise (gloo, or a mixed cpu:gloo,cuda:nccl group)."""
    backend = str(dist.get_backend(group)).lower()
    if "nccl" in backend and "gloo" not in backend:
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def all_gather_rows(values: Sequence[float], group: Optional[dist.ProcessGroup],
                    dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """All-gathers one short row per rank; returns a (world_size, len(values)) CPU tensor."""
    device = comm_device(group)
    row = torch.tensor(list(values), dtype=dtype, device=device)
    world = dist.get_world_size(group)
    rows = [torch.empty_like(row) for _ in range(world)]
    dist.all_gather(rows, row, group=group)
    return torch.stack(rows).cpu()


def all_gather_varlen(values: torch.Tensor, group: Optional[dist.ProcessGroup]) -> List[torch.Tensor]:
    """All-gathers a 1-D float64 tensor whose length may differ by rank."""
    device = comm_device(group)
    lengths = all_gather_rows([values.numel()], group, dtype=torch.int64)[:, 0].tolist()
    longest = max(lengths) if lengths else 0
    padded = torch.zeros(longest, dtype=torch.float64, device=device)
    padded[: values.numel()] = values.to(device=device, dtype=torch.float64)
    world = dist.get_world_size(group)
    parts = [torch.empty_like(padded) for _ in range(world)]
    dist.all_gather(parts, padded, group=group)
    return [part[:n].cpu() for part, n in zip(parts, lengths)]


class RankMismatchError(ValueError):
    """Ranks disagree about something that must be the same on every rank."""


def check_same_across_ranks(fields: Dict[str, int], group: Optional[dist.ProcessGroup], what: str,
                            extra: Optional[Dict[str, int]] = None) -> torch.Tensor:
    """All-gathers integer ``fields`` (one int64 row per rank) and raises one
    :class:`RankMismatchError` on every rank when any field differs. Called
    before the first collective on gradients, so a mismatch fails fast rather
    than hanging or mis-sizing a gradient all-reduce. ``extra`` fields ride along
    unchecked (last columns). Returns the gathered (world_size, fields) rows."""
    names = list(fields)
    values = [int(fields[n]) for n in names] + [int(v) for v in (extra or {}).values()]
    rows = all_gather_rows(values, group, dtype=torch.int64)
    for column, name in enumerate(names):
        values = rows[:, column].tolist()
        if len(set(values)) > 1:
            per_rank = ", ".join(f"rank {r}: {v:,}" for r, v in enumerate(values))
            raise RankMismatchError(f"noisescope_torch: {name} differs across ranks ({per_rank}); "
                                    f"{what} needs the same {name} on every rank")
    return rows
