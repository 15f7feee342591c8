"""How NoiseRecorder gets each rank's numbers, and how they are exchanged.

Rows are float64 vectors [valid, |g_r - g|^2, |g_r|^2, |g|^2, B_small, B_big]
(B_big -1 when it is W * B_small), computed and kept on the gradients' device
(or the process group's communication device); only the gathered rows are
copied to the host, once per record.

Under DistributedDataParallel the local gradient is seen through a **DDP
communication hook** (``DistributedDataParallel.register_comm_hook``): DDP calls
it once per gradient bucket, during backward, with the bucket's *local*
gradient, before any communication. On recording steps the hook copies the
bucket (float64), runs the ordinary all-reduce (or the user's own hook), and in
the future's callback compares the local copy with the reduced mean, keeping
three scalars per bucket. The copy is freed as soon as its bucket is reduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, List, Optional

import torch
import torch.distributed as dist

from ._dist import comm_device
from ._grads import flatten_like
from ._layers import tensor_sq

_NAN = float("nan")


@dataclass
class Pending:
    """A recording step whose all_gather is in flight."""
    step: int
    work: Any
    parts: List[torch.Tensor]
    host: Optional[torch.Tensor] = None
    event: Any = None


def register_hook(rec, model, comm_hook: Optional[Callable], comm_state: Any) -> None:
    """Registers the recorder's comm hook on a DDP ``model`` (see the module docstring)."""
    if comm_hook is None:
        from torch.distributed.algorithms.ddp_comm_hooks.default_hooks import allreduce_hook
        inner, inner_state = allreduce_hook, rec.group
    else:
        inner, inner_state = comm_hook, comm_state

    def noisescope_hook(state, bucket):
        if not rec._armed:
            return inner(inner_state, bucket)
        local = bucket.buffer().detach().to(dtype=torch.float64, copy=True)
        layout = _bucket_layout(rec, bucket)
        future = inner(inner_state, bucket)

        def compare(done):
            reduced = done.value()
            try:
                mean = reduced[0] if isinstance(reduced, (list, tuple)) else reduced
                mean = mean.detach().to(dtype=torch.float64)
                local_sq = torch.dot(local, local)
                mean_sq = torch.dot(mean, mean)
                if layout is not None:            # per-layer: [noise_t; local_t; mean_t] of this bucket's tensors
                    index, sizes = layout
                    local_t, mean_t = tensor_sq(local, sizes), tensor_sq(mean, sizes)
                local.sub_(mean)
                noise_sq = torch.dot(local, local)
                if layout is not None:
                    rec._hook_tensors.append((index, torch.stack([tensor_sq(local, sizes), local_t, mean_t])))
                rec._hook_stats.append((torch.stack([local_sq, mean_sq, noise_sq]), mean.numel()))
            except BaseException as error:  # never break training
                rec._hook_error = error
            return reduced

        return future.then(compare)

    try:
        model.register_comm_hook(state=None, hook=noisescope_hook)
    except RuntimeError as error:
        raise RuntimeError(f"noisescope_torch: could not register the recorder's DDP comm hook ({error}). DDP "
                           f"takes a single comm hook: pass yours as NoiseRecorder(..., comm_hook=hook, "
                           f"comm_state=state) instead of registering it yourself") from error


def _bucket_layout(rec, bucket):
    """(global tensor indices, sizes) of a DDP bucket's gradients in buffer
    order, or None (per-layer off, or a layout that does not fill the buffer)."""
    if rec._layers is None:
        return None
    try:
        params = bucket.parameters()
        index = [rec._layers.index[id(p)] for p in params]
    except (AttributeError, KeyError):
        return None
    sizes = [p.numel() for p in params]
    if sum(sizes) != bucket.buffer().numel():
        return None
    return torch.tensor(index, dtype=torch.long), sizes


def _invalid(rec, b: float, device: torch.device) -> torch.Tensor:
    width = 6 + (3 * rec._layers.count if rec._layers is not None else 0)
    row = torch.full((width,), _NAN, dtype=torch.float64, device=device)
    row[0], row[4], row[5] = 0.0, b, -1.0
    return row


def _per_tensor_from_hook(rec, device: torch.device) -> torch.Tensor:
    """[noise_t..., local_t..., mean_t...] scattered from the buckets (NaN where a tensor was not seen)."""
    t = rec._layers.count
    out = torch.full((3, t), _NAN, dtype=torch.float64, device=device)
    for index, values in rec._hook_tensors:
        out[:, index.to(device)] = values.to(device)
    return out.reshape(-1)


def row_from_hook(rec, b: Optional[int]) -> torch.Tensor:
    """This rank's row from the hook's bucket statistics (no host synchronisation)."""
    stats, error = list(rec._hook_stats), rec._hook_error
    seen = sum(n for _, n in stats)
    batch = -1.0 if b is None else float(b)
    device = comm_device(rec.group)
    if error is not None:
        rec._warn_once("hookerror", f"noisescope_torch: the comm hook failed ({error!r}); step skipped")
        return _invalid(rec, batch, device)
    if seen != rec.parameter_count:
        why = ("several synchronised backward passes since the last step() (use no_sync() for accumulation)"
               if seen > rec.parameter_count else "buckets missing (no synchronised backward since the last step()?)")
        rec._warn_once("hookcount", f"noisescope_torch: the comm hook saw {seen:,} gradient values, expected "
                       f"{rec.parameter_count:,}: {why}; step skipped")
        return _invalid(rec, batch, device)
    total = torch.stack([t.to(device) for t, _ in stats]).sum(dim=0)      # local_sq, mean_sq, noise_sq
    head = torch.tensor([1.0], dtype=torch.float64, device=device)
    tail = torch.tensor([batch, -1.0], dtype=torch.float64, device=device)
    row = torch.cat([head, total[2:3], total[0:2], tail])
    return row if rec._layers is None else torch.cat([row, _per_tensor_from_hook(rec, device)])


def row_from_grads(rec, b: Optional[int]) -> torch.Tensor:
    """Without DDP: ``.grad`` is the local gradient. Several ranks: all-reduce a
    float64 copy; one process: compare with the user's reference."""
    local = flatten_like([p.grad for p in rec._params], rec._params, rec._device)
    local_sq = torch.dot(local, local)
    nan = local_sq.new_full((), _NAN)
    mean_sq = noise_sq = nan
    layers = rec._layers
    if layers is not None:
        local_t = tensor_sq(local, layers.sizes)
        noise_t = mean_t = local_t.new_full((layers.count,), _NAN)
    if rec.mode == "allreduce":
        device = comm_device(rec.group)
        mean = local.to(device=device, copy=True)
        dist.all_reduce(mean, group=rec.group)
        mean = mean.div_(rec.world_size).to(rec._device)
        mean_sq = torch.dot(mean, mean)
        if layers is not None:
            mean_t = tensor_sq(mean, layers.sizes)
        local.sub_(mean)
        noise_sq = torch.dot(local, local)
    elif rec._reference is not None:
        local.sub_(rec._reference)
        noise_sq = torch.dot(local, local)
    if layers is not None and (rec.mode == "allreduce" or rec._reference is not None):
        noise_t = tensor_sq(local, layers.sizes)
    sizes = torch.tensor([-1.0 if b is None else float(b), -1.0], dtype=torch.float64, device=local.device)
    row = torch.cat([torch.stack([local_sq.new_ones(()), noise_sq, local_sq, mean_sq]), sizes])
    if layers is not None:
        row = torch.cat([row, noise_t, local_t, mean_t])
    return row.to(comm_device(rec.group)) if rec.world_size > 1 else row


def launch(rec, s: int, row: torch.Tensor) -> Optional[Pending]:
    """Starts the exchange of this rank's row (several ranks); in one process
    returns None and the caller completes the record from ``row`` at once."""
    if rec.world_size == 1:
        return None
    parts = [torch.empty_like(row) for _ in range(rec.world_size)]
    work = dist.all_gather(parts, row, group=rec.group, async_op=True)
    pending = Pending(step=s, work=work, parts=parts)
    if row.is_cuda:
        # NCCL: make the stream wait for the gather, copy to pinned memory behind
        # it, and later wait only for that event (not for the next backward).
        work.wait()
        pending.host = torch.empty((rec.world_size, row.numel()), dtype=torch.float64, pin_memory=True)
        pending.host.copy_(torch.stack(parts), non_blocking=True)
        pending.event = torch.cuda.Event()
        pending.event.record()
    return pending


def gathered_rows(pending: Pending) -> List[List[float]]:
    """Waits for a pending exchange; the gathered rows on the host."""
    if pending.event is not None:
        pending.event.synchronize()
        return pending.host.tolist()
    pending.work.wait()
    return torch.stack(pending.parts).tolist()
