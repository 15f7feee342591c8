"""Gradient capture under DistributedDataParallel.

Under DDP the local gradient is seen through a **DDP communication hook**
(``DistributedDataParallel.register_comm_hook``): DDP calls it once per
gradient bucket, during backward, with the bucket's *local* gradient, before
any communication. On recording steps (the hook is *armed* before their
backward) the hook copies the bucket (float64), runs the ordinary all-reduce
(or the user's own hook), and in the future's callback compares the local copy
with the reduced mean, keeping three scalars per bucket (and, with per-layer
recording, three per parameter tensor). The copy is freed as soon as its bucket
is reduced. :meth:`DDPHook.row` sums the buckets into this rank's row
[valid, |g_r - g|^2, |g_r|^2, |g|^2, B_small, B_big] (``_exchange.py``)
without a host synchronisation.
"""

# No ``from __future__ import annotations`` here: DDP's register_comm_hook
# compares the hook's annotations with dist.GradBucket and
# torch.futures.Future[torch.Tensor] at run time, and refuses strings.

from typing import TYPE_CHECKING, Any, Callable, List, Optional, Tuple

import torch
import torch.distributed as dist
from torch.futures import Future

from ._dist import comm_device
from ._layers import LayerStats, tensor_sq

if TYPE_CHECKING:
    from torch._C._distributed_c10d import GradBucket      # torch.distributed does not re-export it for mypy
    from torch.nn.parallel import DistributedDataParallel

_NAN = float("nan")

# A DDP communication hook: (state, bucket) -> a future of the bucket's reduced gradient.
CommHook = Callable[[Any, "GradBucket"], "Future[torch.Tensor]"]


class DDPHook:
    """The recorder's comm hook on one DDP model and what it saw since the last
    :meth:`reset`. ``warn(key, message)`` reports a skipped step once per key."""

    def __init__(self, parameter_count: int, layers: Optional[LayerStats], group: Optional[dist.ProcessGroup],
                 warn: Callable[[str, str], None]):
        self.parameter_count = parameter_count
        self.layers = layers
        self.group = group
        self._warn = warn
        self.armed = False
        self.reset()

    def reset(self) -> None:
        """Forgets the buckets seen (called after every step)."""
        self.stats: List[Tuple[torch.Tensor, int]] = []          # (local_sq, mean_sq, noise_sq), values per bucket
        self.tensors: List[Tuple[torch.Tensor, torch.Tensor]] = []  # per-layer: (tensor indices, 3 x tensors)
        self.error: Optional[BaseException] = None

    def register(self, model: "DistributedDataParallel", comm_hook: Optional[CommHook], comm_state: Any) -> None:
        """Registers the hook on the DDP ``model``, wrapping ``comm_hook`` (default: DDP's all-reduce)."""
        from torch._C._distributed_c10d import GradBucket     # dist.GradBucket itself, for the annotation below
        inner: CommHook
        inner_state: Any
        if comm_hook is None:
            from torch.distributed.algorithms.ddp_comm_hooks.default_hooks import allreduce_hook
            inner, inner_state = allreduce_hook, self.group      # None: the world (allreduce_hook's default)
        else:
            inner, inner_state = comm_hook, comm_state

        def noisescope_hook(state: Any, bucket: GradBucket) -> Future[torch.Tensor]:
            if not self.armed:
                return inner(inner_state, bucket)
            local = bucket.buffer().detach().to(dtype=torch.float64, copy=True)
            layout = self._bucket_layout(bucket)
            future = inner(inner_state, bucket)

            def compare(done: Future[torch.Tensor]) -> torch.Tensor:
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
                        self.tensors.append((index, torch.stack([tensor_sq(local, sizes), local_t, mean_t])))
                    self.stats.append((torch.stack([local_sq, mean_sq, noise_sq]), mean.numel()))
                except BaseException as error:  # never break training
                    self.error = error
                return reduced

            return future.then(compare)

        try:
            model.register_comm_hook(state=None, hook=noisescope_hook)
        except RuntimeError as error:
            raise RuntimeError(f"noisescope_torch: could not register the recorder's DDP comm hook ({error}). DDP "
                               f"takes a single comm hook: pass yours as NoiseRecorder(..., comm_hook=hook, "
                               f"comm_state=state) instead of registering it yourself") from error

    def _bucket_layout(self, bucket: "GradBucket") -> Optional[Tuple[torch.Tensor, List[int]]]:
        """(global tensor indices, sizes) of a DDP bucket's gradients in buffer
        order, or None (per-layer off, or a layout that does not fill the buffer)."""
        if self.layers is None:
            return None
        try:
            params = bucket.parameters()
            index = [self.layers.index[id(p)] for p in params]
        except (AttributeError, KeyError):
            return None
        sizes = [p.numel() for p in params]
        if sum(sizes) != bucket.buffer().numel():
            return None
        return torch.tensor(index, dtype=torch.long), sizes

    def _invalid(self, b: float, device: torch.device) -> torch.Tensor:
        width = 6 + (3 * self.layers.count if self.layers is not None else 0)
        row = torch.full((width,), _NAN, dtype=torch.float64, device=device)
        row[0], row[4], row[5] = 0.0, b, -1.0
        return row

    def _per_tensor(self, device: torch.device, count: int) -> torch.Tensor:
        """[noise_t..., local_t..., mean_t...] of ``count`` tensors scattered from the buckets (NaN where a
        tensor was not seen)."""
        out = torch.full((3, count), _NAN, dtype=torch.float64, device=device)
        for index, values in self.tensors:
            out[:, index.to(device)] = values.to(device)
        return out.reshape(-1)

    def row(self, b: Optional[int]) -> torch.Tensor:
        """This rank's row from the buckets seen (no host synchronisation); an
        invalid row (and a warning) when the hook failed or saw too few or too
        many gradient values."""
        stats, error = list(self.stats), self.error
        seen = sum(n for _, n in stats)
        batch = -1.0 if b is None else float(b)
        device = comm_device(self.group)
        if error is not None:
            self._warn("hookerror", f"noisescope_torch: the comm hook failed ({error!r}); step skipped")
            return self._invalid(batch, device)
        if seen != self.parameter_count:
            why = ("several synchronised backward passes since the last step() (use no_sync() for accumulation)"
                   if seen > self.parameter_count
                   else "buckets missing (no synchronised backward since the last step()?)")
            self._warn("hookcount", f"noisescope_torch: the comm hook saw {seen:,} gradient values, expected "
                       f"{self.parameter_count:,}: {why}; step skipped")
            return self._invalid(batch, device)
        total = torch.stack([t.to(device) for t, _ in stats]).sum(dim=0)      # local_sq, mean_sq, noise_sq
        head = torch.tensor([1.0], dtype=torch.float64, device=device)
        tail = torch.tensor([batch, -1.0], dtype=torch.float64, device=device)
        row = torch.cat([head, total[2:3], total[0:2], tail])
        return row if self.layers is None else torch.cat([row, self._per_tensor(device, self.layers.count)])
