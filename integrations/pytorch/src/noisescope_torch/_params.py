"""The trainable parameters, as NoiseRecorder and measure_noise both see them:
which module and process group a model stands for, which parameters are
recorded, and gradients (or a reference gradient) as one flat float64 vector
in that parameter order. Everything stays on the parameters' device."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import torch
import torch.distributed as dist

if TYPE_CHECKING:
    from torch.nn.parallel import DistributedDataParallel
    from typing_extensions import TypeGuard

# A fixed reference gradient: a flat tensor, a list in parameter order, or a dict name -> tensor.
ReferenceGradient = Union[torch.Tensor, Sequence[torch.Tensor], Dict[str, torch.Tensor]]
Reference = Optional[ReferenceGradient]


def is_ddp(model: object) -> TypeGuard[DistributedDataParallel]:
    from torch.nn.parallel import DistributedDataParallel
    return isinstance(model, DistributedDataParallel)


def is_fsdp2(model: torch.nn.Module) -> bool:
    """A module sharded by ``torch.distributed.fsdp.fully_shard`` (FSDP2)."""
    try:
        from torch.distributed.fsdp import FSDPModule
    except ImportError:  # pragma: no cover - torch without FSDP2
        return False
    return isinstance(model, FSDPModule)


def refuse_sharded(model: torch.nn.Module, allow_fsdp2: bool = False) -> None:
    name = type(model).__name__
    if allow_fsdp2 and is_fsdp2(model):
        return
    try:
        from torch.distributed.fsdp import FullyShardedDataParallel
        sharded = isinstance(model, FullyShardedDataParallel)
    except Exception:  # pragma: no cover - FSDP unavailable
        sharded = False
    if sharded or is_fsdp2(model) or name in ("FullyShardedDataParallel", "FSDPModule") or \
            hasattr(model, "_fsdp_wrapped_module"):
        supported = "a plain module, DistributedDataParallel or fully_shard (FSDP2)" if allow_fsdp2 else \
            "a plain module or DistributedDataParallel"
        raise TypeError(f"noisescope_torch: {name} shards gradients across ranks; this supports {supported} "
                        f"(use measure_noise on the unsharded model instead)")


def unwrap(model: torch.nn.Module, process_group: Optional[dist.ProcessGroup], allow_fsdp2: bool = False
           ) -> Tuple[torch.nn.Module, Optional[dist.ProcessGroup], bool]:
    """(module, process group, is DDP): a DistributedDataParallel wrapper stands
    for its module and its own process group; anything else for itself and
    ``process_group`` (None: the world). Sharded models are refused, except a
    ``fully_shard`` (FSDP2) module with ``allow_fsdp2`` (NoiseRecorder's
    per-example noise: ``_recording.py``)."""
    refuse_sharded(model, allow_fsdp2)
    if is_ddp(model):
        return model.module, model.process_group, True
    return model, process_group, False


def trainable(module: torch.nn.Module, ignored: Sequence[str] = ()) -> Tuple[List[str], List[torch.nn.Parameter]]:
    """Names and parameters (``named_parameters`` order) that require a
    gradient, less those named in ``ignored`` (DDP's ``parameters_to_ignore``).
    Raises ValueError when there is none."""
    skip = set(ignored)
    named = [(n, p) for n, p in module.named_parameters() if p.requires_grad and n not in skip]
    if count(p for _, p in named) == 0:
        raise ValueError("noisescope_torch: the model has no trainable parameters")
    return [n for n, _ in named], [p for _, p in named]


def ddp_ignored(model: torch.nn.Module) -> List[str]:
    """The parameter names a DDP model does not synchronise (none for other models)."""
    return list(getattr(model, "parameters_to_ignore", ()) or ()) if is_ddp(model) else []


def count(params: Iterable[torch.Tensor]) -> int:
    """Number of values in ``params``."""
    return sum(p.numel() for p in params)


def flatten_like(tensors: Sequence[Optional[torch.Tensor]], params: Sequence[torch.Tensor],
                 device: torch.device) -> torch.Tensor:
    """One float64 vector of ``tensors`` (None -> zeros of the parameter's size),
    filled slice by slice (no per-tensor float64 temporaries, no cat)."""
    out = torch.empty(count(params), dtype=torch.float64, device=device)
    offset = 0
    for t, p in zip(tensors, params):
        part = out[offset:offset + p.numel()]
        if t is None:
            part.zero_()
        else:
            part.copy_((t.to_dense() if t.is_sparse else t).detach().reshape(-1))
        offset += p.numel()
    return out


def flatten_reference(reference: ReferenceGradient, names: Sequence[str], params: Sequence[torch.Tensor],
                      device: torch.device) -> torch.Tensor:
    """A reference gradient (flat tensor, list in parameter order, or dict
    name -> tensor) as a new flat float64 vector of the parameters' size."""
    if isinstance(reference, dict):
        missing = [n for n in names if n not in reference]
        if missing:
            raise ValueError(f"noisescope_torch: reference lacks parameters {missing[:3]}")
        flat = flatten_like([reference[n] for n in names], params, device)
    elif isinstance(reference, torch.Tensor):
        flat = reference.detach().reshape(-1).to(device=device, dtype=torch.float64)
    else:
        flat = flatten_like(list(reference), params, device)
    expected = count(params)
    if flat.numel() != expected:
        raise ValueError(f"noisescope_torch: reference has {flat.numel():,} values, the model "
                         f"{expected:,} trainable parameters")
    return flat.clone()
