"""RecorderConfig: NoiseRecorder's options in one frozen value, validated once.

``NoiseRecorder(model, log_dir, config=RecorderConfig(every=10, loss_fn=f))``
and ``NoiseRecorder(model, log_dir, every=10, loss_fn=f)`` are the same
recorder: the keywords build the config (``resolve``). Given both, a keyword
left at its default defers to the config, a keyword that sets an option the
config leaves at its default sets it, and a keyword that sets an option the
config sets to something else is refused (ValueError).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Dict, Mapping, Optional, Sequence

import torch
import torch.distributed as dist

from ._ddp_hook import CommHook
from ._grads import LossFn
from ._params import Reference

__all__ = ["RecorderConfig"]


@dataclass(frozen=True)
class RecorderConfig:
    """The options of :class:`NoiseRecorder` (every one optional).

    Args:
        every: record at steps ``s`` with ``s % every == 0`` (default: the
            dense-then-every-10 schedule with per-example noise, else 10).
        batch_size: examples per rank per step (B_small with several ranks; the
            batch B in one process, where it is also read from ``inputs``).
        loss_fn: one process: ``loss_fn(model(inputs), targets)`` (or
            ``loss_fn(model(inputs))`` without targets), the **mean** loss of a
            batch, the same loss whose ``backward()`` filled ``.grad``.
        micro_batches: one process: m, the batch is cut into m micro-batches of
            b = B // m examples (the first m*b examples).
        micro_samples: one process: k, noise of the first k micro-batches (default:
            all m with per-example noise, from the Gram matrix; else 1, recomputed
            at the cost of k*b examples' forward+backward).
        dataset_size: N, when batches are drawn without replacement from N
            examples: adds the finite-population corrected ``*_fpc`` fields.
        seed: written to the manifest (the recorder itself draws no random numbers).
        ema_decay: decay of the running |G|^2 and tr(Sigma) averages.
        start_step: the first step number (the DDP hook is armed for it).
        process_group: group of a non-DDP model (default: the world); a DDP
            model uses its own ``process_group``.
        reference: one process, instead of ``loss_fn``: a fixed reference gradient
            (flat tensor, list in ``model.parameters()`` order, or dict name -> tensor).
        comm_hook, comm_state: your own DDP comm hook, which the recorder wraps
            (DDP accepts one hook; its reduced result must be the mean gradient).
        overwrite: replace an existing log in ``log_dir`` (otherwise refused).
        npy_flush_seconds: rewrite the NPY files at a record when at least this
            many seconds have passed since their last rewrite (0: at every
            record); always at close; steps.jsonl gets its line at every record.
        fsync: fsync every file write (survives power loss, not only a killed process).
        per_layer: also record per-tensor and per-group statistics (``_layers.py``, SCHEMA.md "Per-layer fields").
        groups: ``{name: [parameter names or module prefixes]}`` instead of the default grouping rule.
        per_example: per-example noise from module hooks (default; README "Per-example
            noise"); False: micro-batch or per-rank noise only.

    The checks that need no model are made here, once, whichever way the
    config is built; those that depend on the mode (one process or several
    ranks, per-example noise or not: ``micro_batches``, ``micro_samples``,
    ``loss_fn`` against ``reference``) are made by the recorder.
    """

    every: Optional[int] = None
    batch_size: Optional[int] = None
    loss_fn: Optional[LossFn] = None
    micro_batches: int = 8
    micro_samples: Optional[int] = None
    dataset_size: Optional[int] = None
    seed: Optional[int] = None
    ema_decay: float = 0.95
    start_step: int = 0
    process_group: Optional[dist.ProcessGroup] = None
    reference: Reference = None
    comm_hook: Optional[CommHook] = None
    comm_state: Any = None
    overwrite: bool = False
    npy_flush_seconds: float = 1.0
    fsync: bool = False
    per_layer: bool = True
    groups: Optional[Dict[str, Sequence[str]]] = None
    per_example: bool = True

    def __post_init__(self) -> None:
        if self.every is not None and int(self.every) < 1:
            raise ValueError(f"every must be at least 1, got {self.every}")
        if self.batch_size is not None and int(self.batch_size) < 1:
            raise ValueError(f"batch_size must be positive, got {self.batch_size}")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {self.ema_decay}")
        if self.dataset_size is not None and int(self.dataset_size) < 2:
            raise ValueError(f"dataset_size must be at least 2, got {self.dataset_size}")


def _same(a: object, b: object) -> bool:
    """``a == b`` where that is a plain yes or no; tensors and containers of
    them are the same only when they are the same object."""
    if a is b:
        return True
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return False
    try:
        return bool(a == b)
    except (RuntimeError, TypeError, ValueError):     # e.g. dicts of tensors: ambiguous truth values
        return False


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 and "\n" not in text else f"<{type(value).__name__}>"


def resolve(config: Optional[RecorderConfig], keywords: Mapping[str, Any]) -> RecorderConfig:
    """The config of a NoiseRecorder given ``config=`` and its keyword
    options (``keywords``: every option, at its default where not given).
    Without a config the keywords make one (and its checks run); with one, a
    keyword at its default leaves the config's value, a keyword that differs
    from its default sets an option the config leaves at its default, and
    one that differs from a value the config sets raises ValueError."""
    if config is None:
        return RecorderConfig(**keywords)
    if not isinstance(config, RecorderConfig):
        raise TypeError(f"noisescope_torch: config must be a RecorderConfig, got {type(config).__name__}")
    changes: Dict[str, Any] = {}
    for option in fields(RecorderConfig):
        value, held = keywords[option.name], getattr(config, option.name)
        if _same(value, option.default) or _same(value, held):
            continue
        if not _same(held, option.default):
            raise ValueError(f"noisescope_torch: {option.name}={_shown(value)} conflicts with the config's "
                             f"{option.name}={_shown(held)}; give {option.name} in one place (the keyword or the "
                             f"config)")
        changes[option.name] = value
    return replace(config, **changes) if changes else config
