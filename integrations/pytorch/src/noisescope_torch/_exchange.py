"""This rank's row of a recording step without DDP, and the exchange of the
rows between ranks.

Rows are float64 vectors [valid, |g_r - g|^2, |g_r|^2, |g|^2, B_small, B_big]
(B_big -1 when it is W * B_small), with per-layer recording followed by the
per-tensor |g_r - g|_t^2, |g_r|_t^2 and |g|_t^2; computed and kept on the
gradients' device (or the process group's communication device); only the
gathered rows are copied to the host, once per record. Under DDP the row comes
from the comm hook instead (``_ddp_hook.py``); in one process with
micro-batches from ``_grads.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.distributed as dist

from ._dist import comm_device
from ._layers import LayerStats, tensor_sq
from ._params import flatten_like

_NAN = float("nan")


@dataclass
class Pending:
    """A recording step whose all_gather is in flight."""
    step: int
    work: Any                   # the all_gather's torch.distributed Work
    parts: List[torch.Tensor]
    host: Optional[torch.Tensor] = None
    event: Optional[torch.cuda.Event] = None
    examples: Optional[np.ndarray] = None   # per-example noise norms of the step (all ranks), when recorded


def row_from_grads(params: Sequence[torch.Tensor], device: torch.device, layers: Optional[LayerStats],
                   b: Optional[int], group: Optional[dist.ProcessGroup] = None, world_size: int = 1,
                   reference: Optional[torch.Tensor] = None,
                   means: Optional[List[torch.Tensor]] = None) -> torch.Tensor:
    """Without DDP: ``.grad`` is the local gradient. Several ranks: all-reduce a
    float64 copy (appended to ``means`` when given: the mean gradient, flat);
    one process: compare with the ``reference`` (if any)."""
    local = flatten_like([p.grad for p in params], params, device)
    local_sq = torch.dot(local, local)
    nan = local_sq.new_full((), _NAN)
    mean_sq = noise_sq = nan
    if layers is not None:
        local_t = tensor_sq(local, layers.sizes)
        noise_t = mean_t = local_t.new_full((layers.count,), _NAN)
    if world_size > 1:
        mean = local.to(device=comm_device(group), copy=True)
        dist.all_reduce(mean, group=group)
        mean = mean.div_(world_size).to(device)
        if means is not None:
            means.append(mean.clone())
        mean_sq = torch.dot(mean, mean)
        if layers is not None:
            mean_t = tensor_sq(mean, layers.sizes)
        local.sub_(mean)
        noise_sq = torch.dot(local, local)
    elif reference is not None:
        local.sub_(reference)
        noise_sq = torch.dot(local, local)
    if layers is not None and (world_size > 1 or reference is not None):
        noise_t = tensor_sq(local, layers.sizes)
    sizes = torch.tensor([-1.0 if b is None else float(b), -1.0], dtype=torch.float64, device=local.device)
    row = torch.cat([torch.stack([local_sq.new_ones(()), noise_sq, local_sq, mean_sq]), sizes])
    if layers is not None:
        row = torch.cat([row, noise_t, local_t, mean_t])
    return row.to(comm_device(group)) if world_size > 1 else row


def row_from_shares(own: Optional[Tuple[torch.Tensor, torch.Tensor, torch.Tensor]], b: Optional[int],
                    per_layer: bool, tensors: int, device: torch.device) -> torch.Tensor:
    """Under FSDP, where no local gradient is formed: this rank's row from
    its examples' shares (``PerExample.ranks(own=)``: per tensor |g_r|^2,
    <g_r, gbar>, |gbar|^2, g_r the sum of the rank's shares), with
    |g_r - gbar|^2 = |g_r|^2 - 2 <g_r, gbar> + |gbar|^2; an invalid row when
    nothing was captured."""
    batch = -1.0 if b is None else float(b)
    if own is None:
        row = torch.full((6 + (3 * tensors if per_layer else 0),), _NAN, dtype=torch.float64, device=device)
        row[0], row[4], row[5] = 0.0, batch, -1.0
        return row
    local_t, cross_t, mean_t = (x.to(device=device, dtype=torch.float64) for x in own)
    noise_t = local_t - 2 * cross_t + mean_t
    head = torch.stack([torch.ones((), dtype=torch.float64, device=device), noise_t.sum(), local_t.sum(),
                        mean_t.sum()])
    row = torch.cat([head, torch.tensor([batch, -1.0], dtype=torch.float64, device=device)])
    return torch.cat([row, noise_t, local_t, mean_t]) if per_layer else row


def launch(s: int, row: torch.Tensor, group: Optional[dist.ProcessGroup], world_size: int) -> Optional[Pending]:
    """Starts the exchange of this rank's row (several ranks); in one process
    returns None and the caller completes the record from ``row`` at once."""
    if world_size == 1:
        return None
    parts = [torch.empty_like(row) for _ in range(world_size)]
    work = dist.all_gather(parts, row, group=group, async_op=True)
    pending = Pending(step=s, work=work, parts=parts)
    if row.is_cuda:
        # NCCL: make the stream wait for the gather, copy to pinned memory behind
        # it, and later wait only for that event (not for the next backward).
        work.wait()
        pending.host = torch.empty((world_size, row.numel()), dtype=torch.float64, pin_memory=True)
        pending.host.copy_(torch.stack(parts), non_blocking=True)
        pending.event = torch.cuda.Event()  # type: ignore[no-untyped-call]  # its constructor is unannotated in torch
        pending.event.record()
    return pending


def gathered_rows(pending: Pending) -> List[List[float]]:
    """Waits for a pending exchange; the gathered rows on the host."""
    if pending.event is not None and pending.host is not None:      # set together (NCCL)
        pending.event.synchronize()
        return pending.host.tolist()
    pending.work.wait()
    return torch.stack(pending.parts).tolist()
