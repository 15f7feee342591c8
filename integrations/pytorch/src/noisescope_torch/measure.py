"""measure_noise: the quantity of ``noisescope measure`` at a fixed checkpoint,
with the data sharded over ranks.

1. The exact full gradient: the data set in order, cut into chunks of
   ``full_batch_size``; chunk c goes to rank c % world_size; each rank sums
   count-weighted chunk gradients in float64; one all_reduce (SUM) of that
   vector; divided by the number of examples.
2. The minibatches: a seeded permutation of the examples per epoch (a
   ``torch.Generator`` seeded with ``seed``, one ``randperm`` per epoch), cut into
   consecutive minibatches of ``batch_size``, the incomplete last one dropped (so
   every noise norm is of the same batch size). Minibatch j goes to rank
   j % world_size, which records ||g_B - full gradient||_2.
3. The ranks' norms are all-gathered and put back in minibatch order.

Memory per rank is O(parameters): the float64 full gradient and one float64
minibatch gradient. Gradients come from ``torch.autograd.grad``, so the
parameters' ``.grad`` is left untouched. The model is used as given: call
``model.eval()`` first if dropout should be off.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence

import numpy as np
import torch
import torch.distributed as dist

from ._dist import all_gather_varlen, comm_device, group_info
from ._files import file_names, prepare_log_dir, write_manifest
from ._io import MERGED, rank_file, utc_now, write_npy_atomic
from ._params import count, flatten_like, trainable, unwrap
from ._records import merge_rank_norms


@dataclass
class Measurement:
    """What :func:`measure_noise` measured (the same on every rank, except
    ``rank_noise_norms``)."""

    noise_norms: np.ndarray          # every minibatch's ||g_B - grad f||, in minibatch order
    rank_noise_norms: np.ndarray     # this rank's minibatches (j = rank, rank + W, ...)
    full_gradient: torch.Tensor      # flat float64, parameters in module.parameters() order
    full_gradient_norm: float
    examples: int
    parameter_count: int
    batch_size: int
    seed: int
    world_size: int
    wall_seconds: float              # wall time of the measurement (the manifest's wall_seconds)

    @property
    def seconds(self) -> float:
        """The former name of :attr:`wall_seconds`."""
        return self.wall_seconds


def supervised_loss(criterion: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
                    ) -> Callable[[torch.nn.Module, Sequence[torch.Tensor]], torch.Tensor]:
    """Adapts ``criterion(output, target)`` (mean reduction) to the
    ``loss_fn(model, batch)`` form, for (input, target) batches."""

    def loss_fn(model: torch.nn.Module, batch: Sequence[torch.Tensor]) -> torch.Tensor:
        inputs, targets = batch[0], batch[1]
        return criterion(model(inputs), targets)

    return loss_fn


def minibatch_schedule(examples: int, batch_size: int, samples: int, seed: int) -> List[torch.Tensor]:
    """Index tensors of ``samples`` minibatches (see the module docstring)."""
    per_epoch = examples // batch_size
    generator = torch.Generator().manual_seed(int(seed))
    batches: List[torch.Tensor] = []
    while len(batches) < samples:
        permutation = torch.randperm(examples, generator=generator)
        for k in range(per_epoch):
            if len(batches) == samples:
                break
            batches.append(permutation[k * batch_size:(k + 1) * batch_size])
    return batches


def measure_noise(model: torch.nn.Module, loss_fn: Callable[[torch.nn.Module, Any], torch.Tensor], dataset: Any,
                  batch_size: int, seed: int = 0, log_dir: Optional[str] = None, *, samples: Optional[int] = None,
                  full_batch_size: Optional[int] = None, collate_fn: Optional[Callable[[List[Any]], Any]] = None,
                  process_group: Optional[dist.ProcessGroup] = None, overwrite: bool = False,
                  flush_every: int = 50, fsync: bool = False) -> Measurement:
    """Noise norms ||g_B - grad f|| of ``samples`` minibatches at the model's
    current parameters (default: one epoch, ``len(dataset) // batch_size``).

    ``loss_fn(model, batch)`` returns the **mean** loss over the batch, where
    ``batch = collate_fn([dataset[i] for i in indices])`` (default: torch's
    default_collate); see :func:`supervised_loss`. With torch.distributed
    initialised, call it on every rank with the same arguments: the work is
    split over the ranks of ``process_group`` (default: the world). Logs go to
    ``log_dir`` when given (schema noisescope-log/1, mode "measure").
    """
    module, group, ddp = unwrap(model, process_group)
    rank, world = group_info(group)
    examples = len(dataset)
    batch_size = int(batch_size)
    if batch_size < 1 or batch_size > examples:
        raise ValueError(f"batch_size {batch_size} must be in 1..{examples} (the number of examples)")
    samples = examples // batch_size if samples is None else int(samples)
    if samples < 2:
        raise ValueError(f"samples must be at least 2, got {samples}")
    full_batch_size = batch_size if full_batch_size is None else int(full_batch_size)
    if full_batch_size < 1:
        raise ValueError(f"full_batch_size must be positive, got {full_batch_size}")
    if collate_fn is None:
        from torch.utils.data import default_collate
        collate_fn = default_collate
    _, params = trainable(module)
    parameter_count = count(params)
    device = params[0].device

    prepare_log_dir(log_dir, rank, world, group,
                    {"parameter count": parameter_count, "number of parameter tensors": len(params),
                     "number of examples": examples, "batch size": batch_size, "samples": samples,
                     "seed": int(seed), "full-gradient batch size": full_batch_size}, "measure_noise", overwrite)
    fields = {"noise_reference": "full-gradient", "batch_size_small": batch_size, "batch_size_big": None,
              "ddp": ddp, "examples": examples, "samples": samples, "full_batch_size": full_batch_size,
              "seed": int(seed), "created": utc_now(), "closed": None, "complete": False,
              "full_gradient_norm": None, "full_gradient_examples": None,
              "files": file_names(world, steps=False, by_group=False), "wall_seconds": None}

    def manifest() -> None:
        if log_dir is not None and rank == 0:
            write_manifest(log_dir, fsync, mode="measure", model_class=type(module).__name__, params=params,
                           world_size=world, group=group, **fields)

    manifest()

    def gradient(indices: Sequence[int]) -> torch.Tensor:
        batch = collate_fn([dataset[int(i)] for i in indices])
        loss = loss_fn(module, batch)
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        return flatten_like(grads, params, device)

    start = time.perf_counter()
    # 1. Full gradient: count-weighted chunk gradients, summed over ranks.
    total = torch.zeros(parameter_count, dtype=torch.float64, device=device)
    chunks = range(0, examples, full_batch_size)
    for c, first in enumerate(chunks):
        if c % world != rank:
            continue
        indices = range(first, min(first + full_batch_size, examples))
        total.add_(gradient(indices), alpha=float(len(indices)))
    if world > 1:
        reduce_device = comm_device(group)
        shared = total.to(reduce_device)
        dist.all_reduce(shared, op=dist.ReduceOp.SUM, group=group)
        total = shared.to(device)
    full = total.div_(float(examples))
    full_norm = float(torch.linalg.vector_norm(full))

    # 2. Noise norms of this rank's minibatches.
    own: List[float] = []
    for j, minibatch in enumerate(minibatch_schedule(examples, batch_size, samples, seed)):
        if j % world != rank:
            continue
        g = gradient(minibatch.tolist())
        g.sub_(full)
        own.append(float(torch.linalg.vector_norm(g)))
        if log_dir is not None and len(own) % max(1, flush_every) == 0:
            write_npy_atomic(os.path.join(log_dir, rank_file(rank)), own, fsync)
    if log_dir is not None:
        write_npy_atomic(os.path.join(log_dir, rank_file(rank)), own, fsync)

    # 3. Gather and restore minibatch order j = r + W k.
    if world > 1:
        parts = [p.numpy() for p in all_gather_varlen(torch.tensor(own, dtype=torch.float64), group)]
    else:
        parts = [np.asarray(own, dtype=np.float64)]
    merged = merge_rank_norms(world, "measure", parts)
    wall_seconds = time.perf_counter() - start
    if log_dir is not None and rank == 0:
        write_npy_atomic(os.path.join(log_dir, MERGED), merged, fsync)
        fields.update({"closed": utc_now(), "complete": True, "full_gradient_norm": full_norm,
                       "full_gradient_examples": examples, "wall_seconds": wall_seconds})
        manifest()
    return Measurement(noise_norms=merged, rank_noise_norms=np.asarray(own, dtype=np.float64), full_gradient=full,
                       full_gradient_norm=full_norm, examples=examples, parameter_count=parameter_count,
                       batch_size=batch_size, seed=int(seed), world_size=world, wall_seconds=wall_seconds)
