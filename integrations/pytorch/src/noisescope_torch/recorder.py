"""NoiseRecorder: gradient-noise statistics inside an ordinary training loop.

Where each recording step's gradients come from (README "How the noise is
measured"):

- DDP, W >= 2 ranks: a DDP communication hook sees each rank's local gradient
  g_r before the all-reduce (``_exchange.py``); noise norm |g_r - g|, g the mean.
- Several ranks without DDP: ``.grad`` at ``step()`` is the local gradient; the
  recorder all-reduces a float64 copy itself.
- One process: the batch gradient g_B is ``.grad``; given the batch
  (``step(s, inputs=x, targets=y)``) and ``loss_fn``, the recorder recomputes the
  gradients h_j of the first ``micro_samples`` of ``micro_batches`` micro-batches
  (``_grads.py``); noise norm |h_j - g_B|. Or, with ``reference=``, |g_B - ref|.

With several ranks each recording step ends with one small non-blocking
all_gather of six numbers per rank; the record (steps.jsonl line, NPY update) is
completed at the next ``step()`` call, or at ``close()``, so the exchange
overlaps the next training step. The NPY files are rewritten at most every
``npy_flush_seconds``.
"""

from __future__ import annotations

import os
import time
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.distributed as dist

from ._dist import all_gather_rows, check_same_across_ranks, group_info
from ._exchange import Pending, gathered_rows, launch, register_hook, row_from_grads, row_from_hook
from ._grads import flatten_like, is_ddp, micro_batch_rows, refuse_sharded
from ._files import remove_old_files, write_manifest
from ._layers import LayerStats
from ._io import BY_GROUP, MANIFEST, MERGED, STEPS, JsonlAppender, rank_file, utc_now, write_npy_atomic
from ._records import make_record, unequal_batches
from .estimates import TwoBatchEMA

# Kept importable under their old names (measure.py and users).
_is_ddp, _refuse_sharded = is_ddp, refuse_sharded
__all__ = ["NoiseRecorder", "flatten_like"]

Reference = Union[None, torch.Tensor, Sequence[torch.Tensor], Dict[str, torch.Tensor]]


class NoiseRecorder:
    """Records gradient-noise statistics every ``every`` steps into ``log_dir``
    (schema ``noisescope-log/1``, see SCHEMA.md).

    Call ``step(step, inputs=x, targets=y)`` after ``loss.backward()`` and before
    ``optimizer.step()``, on every rank at every step, and ``close()`` at the end
    (also on every rank). ``inputs``/``targets`` are needed in one process (they
    are ignored with several ranks, so one script serves both).

    Args:
        model: the module being trained, or its DistributedDataParallel wrapper.
        log_dir: output directory (created; shared by the ranks, each writes its own file).
        every: record at steps ``s`` with ``s % every == 0``.
        batch_size: examples per rank per step (B_small with several ranks; the
            batch B in one process, where it is also read from ``inputs``).
        loss_fn: one process: ``loss_fn(model(inputs), targets)`` (or
            ``loss_fn(model(inputs))`` without targets), the **mean** loss of a
            batch, the same loss whose ``backward()`` filled ``.grad``.
        micro_batches: one process: m, the batch is cut into m micro-batches of
            b = B // m examples (the first m*b examples).
        micro_samples: one process: k, gradients of the first k micro-batches are
            recomputed on a recording step (cost: k*b examples' forward+backward).
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
        per_layer: also record per-tensor and per-group statistics (``_layers.py``, SCHEMA.md "Per layer").
        groups: ``{name: [parameter names or module prefixes]}`` instead of the default grouping rule.
    """

    def __init__(self, model: torch.nn.Module, log_dir: str, every: int = 10, batch_size: Optional[int] = None, *,
                 loss_fn: Optional[Callable] = None, micro_batches: int = 8, micro_samples: int = 1,
                 dataset_size: Optional[int] = None, seed: Optional[int] = None, ema_decay: float = 0.95,
                 start_step: int = 0, process_group: Optional[dist.ProcessGroup] = None, reference: Reference = None,
                 comm_hook: Optional[Callable] = None, comm_state: Any = None, overwrite: bool = False,
                 npy_flush_seconds: float = 1.0, fsync: bool = False, per_layer: bool = True,
                 groups: Optional[Dict[str, Sequence[str]]] = None):
        if int(every) < 1:
            raise ValueError(f"every must be at least 1, got {every}")
        if batch_size is not None and int(batch_size) < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        if not 0.0 <= ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {ema_decay}")
        if dataset_size is not None and int(dataset_size) < 2:
            raise ValueError(f"dataset_size must be at least 2, got {dataset_size}")
        refuse_sharded(model)
        self.every = int(every)
        self.batch_size = None if batch_size is None else int(batch_size)
        self.dataset_size = None if dataset_size is None else int(dataset_size)
        self.log_dir = str(log_dir)
        self.fsync = fsync
        self.npy_flush_seconds = max(0.0, float(npy_flush_seconds))
        self._ddp = is_ddp(model)
        module = model.module if self._ddp else model
        self._module = module
        self.group = model.process_group if self._ddp else process_group
        self.rank, self.world_size = group_info(self.group)
        if self._ddp and self.world_size > 1:
            self.mode = "ddp"
        elif self.world_size > 1:
            self.mode = "allreduce"
        elif reference is not None:
            self.mode = "reference"
        else:
            self.mode = "micro"
        self.loss_fn = loss_fn
        self.micro_batches, self.micro_samples = int(micro_batches), int(micro_samples)
        if self.mode == "micro":
            self._check_micro_config(reference)
        elif self.mode == "reference" and loss_fn is not None:
            raise ValueError("noisescope_torch: pass either loss_fn= (noise against the batch gradient) or "
                             "reference= (noise against a fixed gradient), not both")
        ignored = set(getattr(model, "parameters_to_ignore", ()) or ()) if self._ddp else set()
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad and n not in ignored]
        self._names = [n for n, _ in named]
        self._params = [p for _, p in named]
        self.parameter_count = sum(p.numel() for p in self._params)
        self._device = self._params[0].device if self._params else torch.device("cpu")
        self._layers = LayerStats(module, self._names, self._params, groups, ema_decay) if per_layer else None
        if self.parameter_count == 0:
            raise ValueError("noisescope_torch: the model has no trainable parameters")

        os.makedirs(self.log_dir, exist_ok=True)
        conflict = int(os.path.exists(os.path.join(self.log_dir, MANIFEST))) if self.rank == 0 else 0
        if self.world_size > 1:
            # The first collective: before any collective on gradients, so that ranks
            # with different models fail with one clear error instead of hanging.
            rows = check_same_across_ranks(
                {"parameter count": self.parameter_count, "number of parameter tensors": len(self._params),
                 "local batch size": -1 if self.batch_size is None else self.batch_size,
                 "recording interval (every)": self.every, "start step": int(start_step),
                 "per-layer recording": int(per_layer)},
                self.group, "NoiseRecorder", extra={"log dir in use": conflict})
            conflict = int(rows[0, -1])
        if conflict and not overwrite:
            raise FileExistsError(f"noisescope_torch: {self.log_dir} already holds a noise log ({MANIFEST}); "
                                  f"choose another log_dir or pass overwrite=True")
        if overwrite:
            self._remove_old_files()
        if reference is not None and self.world_size > 1:
            raise ValueError("noisescope_torch: reference= is for single-process runs; with several ranks the "
                             "noise is measured against the mean gradient over ranks")
        self._reference: Optional[torch.Tensor] = None
        if reference is not None:
            self.set_reference(reference)

        self.seed = seed
        self.model_class = type(module).__name__
        self.created = utc_now()
        self._ema = TwoBatchEMA(beta=float(ema_decay))
        self._samples: List[float] = []          # this rank's noise norms
        self._merged: List[float] = []           # rank 0: the merged sample
        self._seen_batch: Optional[int] = None   # one process: B of the first recorded batch
        self._records = 0
        self._unflushed = 0
        self._last_flush = float("-inf")
        self._pending: Optional[Pending] = None
        self._closed = False
        self._warned: set = set()
        self._next_step = int(start_step)
        self._forced = False
        self._hook_stats: List[Tuple[torch.Tensor, int]] = []
        self._hook_tensors: List[Tuple[torch.Tensor, torch.Tensor]] = []
        self._hook_error: Optional[BaseException] = None
        self._armed = self.mode == "ddp" and self._next_step % self.every == 0
        self._steps: Optional[JsonlAppender] = None
        if self.rank == 0:
            self._write_manifest(complete=False)
            self._steps = JsonlAppender(os.path.join(self.log_dir, STEPS), fsync=fsync)
        if self.mode == "ddp":
            register_hook(self, model, comm_hook, comm_state)

    def _check_micro_config(self, reference: Reference) -> None:
        if self.loss_fn is None:
            raise ValueError("noisescope_torch: one process needs loss_fn= (and step(s, inputs=x, targets=y)) to "
                             "measure noise from micro-batches, or reference= a fixed gradient; without either "
                             "there is no noise sample")
        if not callable(self.loss_fn):
            raise TypeError(f"noisescope_torch: loss_fn must be callable, got {type(self.loss_fn).__name__}")
        if self.micro_batches < 2:
            raise ValueError(f"noisescope_torch: micro_batches must be at least 2 (two batch sizes), "
                             f"got {self.micro_batches}")
        if not 1 <= self.micro_samples <= self.micro_batches:
            raise ValueError(f"noisescope_torch: micro_samples must be in 1..micro_batches={self.micro_batches}, "
                             f"got {self.micro_samples}")
        if self.batch_size is not None and self.batch_size < self.micro_batches:
            raise ValueError(f"noisescope_torch: batch_size {self.batch_size} cannot be cut into "
                             f"micro_batches={self.micro_batches} micro-batches of at least one example")

    # ------------------------------------------------------------ public API

    def step(self, step: Optional[int] = None, batch_size: Optional[int] = None, *, inputs: Any = None,
             targets: Any = None) -> Optional[Dict[str, Any]]:
        """Call after backward, before optimizer.step(), on every rank.

        One process: pass the batch whose mean loss filled ``.grad``
        (``inputs``: a tensor or a tuple of tensors, batch first, given to the
        model as ``model(*inputs)``; ``targets`` the second argument of
        ``loss_fn``); needed only on recording steps. Several ranks: the
        statistics are exchanged with a non-blocking all_gather and the record is
        completed at the next ``step()`` call. Returns the record completed
        during this call, else None."""
        if self._closed:
            raise RuntimeError("noisescope_torch: NoiseRecorder.step() after close()")
        s = self._next_step if step is None else int(step)
        b = self.batch_size if batch_size is None else int(batch_size)
        completed = self._finish_pending()
        try:
            due = s % self.every == 0 or self._forced
            if self.mode == "ddp":
                if self._armed:
                    self._pending = launch(self, s, row_from_hook(self, b))
                elif due:
                    self._warn_once("unarmed", f"noisescope_torch: step {s} was due for recording, but the DDP hook "
                                    f"was not armed before its backward (step numbers not consecutive?); skipped. "
                                    f"Pass consecutive step numbers, or call recorder.arm() before backward")
            elif self.mode == "allreduce" and due:
                self._pending = launch(self, s, row_from_grads(self, b))
            elif self.mode == "reference" and due:
                completed = self._complete(s, row_from_grads(self, b).view(1, -1).cpu().tolist())
            elif self.mode == "micro" and due:
                completed = self._complete(s, self._micro_rows(s, inputs, targets).cpu().tolist())
        finally:
            self._next_step = s + 1
            self._forced = False
            self._hook_stats, self._hook_tensors = [], []
            self._hook_error = None
            self._armed = self.mode == "ddp" and self._next_step % self.every == 0
        return completed

    def arm(self) -> None:
        """Record the next step whatever ``every`` says (call before its backward,
        on every rank)."""
        self._forced = True
        if self.mode == "ddp":
            self._armed = True

    @property
    def will_record_next(self) -> bool:
        """Whether the next ``step()`` (with consecutive numbering) records."""
        return self._forced or self._next_step % self.every == 0

    def set_reference(self, reference: Reference) -> None:
        """Single process: the gradient against which ``noise_norm`` is measured."""
        if self.world_size > 1:
            raise ValueError("noisescope_torch: set_reference is for single-process runs")
        if isinstance(reference, dict):
            missing = [n for n in self._names if n not in reference]
            if missing:
                raise ValueError(f"noisescope_torch: reference lacks parameters {missing[:3]}")
            flat = flatten_like([reference[n] for n in self._names], self._params, self._device)
        elif isinstance(reference, torch.Tensor):
            flat = reference.detach().reshape(-1).to(device=self._device, dtype=torch.float64)
        else:
            flat = flatten_like(list(reference), self._params, self._device)
        if flat.numel() != self.parameter_count:
            raise ValueError(f"noisescope_torch: reference has {flat.numel():,} values, the model "
                             f"{self.parameter_count:,} trainable parameters")
        self._reference = flat.clone()
        self.mode = "reference"

    @property
    def noise_norms(self) -> np.ndarray:
        """This rank's noise norms so far."""
        return np.asarray(self._samples, dtype=np.float64)

    @property
    def running_b_simple(self) -> Optional[float]:
        return self._ema.b_simple

    def close(self, sync: bool = True) -> None:
        """Completes the last record, writes every file a last time and marks
        the manifest complete. With ``sync`` (default) and several ranks this is
        a collective: call it on every rank. ``sync=False`` makes no collective
        (the last record, if still in flight, is dropped)."""
        self._close(sync=sync, error=None)

    def __enter__(self) -> "NoiseRecorder":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        # After an exception other ranks may be gone: no collective then, and the
        # manifest stays "complete": false, with the error.
        self._close(sync=kind is None, error=None if kind is None else f"{kind.__name__}: {value}")

    def _close(self, sync: bool, error: Optional[str]) -> None:
        if self._closed:
            return
        self._closed = True
        self._armed = False
        if error is None and sync:
            self._finish_pending()
        else:
            self._pending = None  # other ranks may be gone: never wait on a collective now
        self._flush_npy()
        if sync and self.world_size > 1:
            all_gather_rows([len(self._samples)], self.group)  # every rank has written its files
        if self.rank == 0:
            self._write_manifest(complete=error is None, error=error)
        if self._steps is not None:
            self._steps.close()

    # ------------------------------------------------------------ internals

    def _micro_rows(self, s: int, inputs: Any, targets: Any) -> torch.Tensor:
        if inputs is None:
            raise ValueError(f"noisescope_torch: step {s} is a recording step and one process measures noise from "
                             f"micro-batches of the batch: call recorder.step(step, inputs=x, targets=y)")
        grads = flatten_like([p.grad for p in self._params], self._params, self._device)
        rows = micro_batch_rows(self._module, self._params, self.loss_fn, inputs, targets, self.micro_batches,
                                self.micro_samples, grads, None if self._layers is None else self._layers.sizes)
        if self._seen_batch is None:
            from ._grads import batch_length
            self._seen_batch = batch_length(inputs)
        return rows

    def _finish_pending(self) -> Optional[Dict[str, Any]]:
        pending, self._pending = self._pending, None
        if pending is None:
            return None
        return self._complete(pending.step, gathered_rows(pending))

    def _complete(self, s: int, rows: List[List[float]]) -> Optional[Dict[str, Any]]:
        """Turns the rows of a recording step into its record; writes it (rank 0)
        and this rank's samples."""
        if not all(r[0] == 1.0 for r in rows):
            bad = [i for i, r in enumerate(rows) if r[0] != 1.0]
            self._warn_once("invalid", f"noisescope_torch: step {s} not recorded: rank(s) {bad} had no complete "
                            f"local gradient")
            return None
        if self.world_size > 1 and unequal_batches(rows):
            self._warn_once("unequal", f"noisescope_torch: local batch sizes differ across ranks "
                            f"{[r[4] for r in rows]}; the two-batch estimates need equal ones and are null for such "
                            f"steps")
        record, own, merged = make_record(s, self._records, rows, self.rank, self.world_size, self._ema,
                                          self.dataset_size)
        self._samples.extend(own)
        if self._layers is not None and self.rank == 0:
            self._layers.add_fields(record, rows, len(merged))
        if self.rank == 0 and self.world_size > 1:
            self._merged.extend(merged)
        self._records += 1
        if self._steps is not None:
            self._steps.write(record)
        self._unflushed += 1
        if time.monotonic() - self._last_flush >= self.npy_flush_seconds:
            self._flush_npy()
        return record

    def _flush_npy(self) -> None:
        self._last_flush = time.monotonic()
        if self._unflushed == 0 and os.path.exists(os.path.join(self.log_dir, rank_file(self.rank))):
            return
        write_npy_atomic(os.path.join(self.log_dir, rank_file(self.rank)), self._samples, self.fsync)
        if self.rank == 0:
            merged = self._merged if self.world_size > 1 else self._samples
            write_npy_atomic(os.path.join(self.log_dir, MERGED), merged, self.fsync)
            if self._layers is not None:
                write_npy_atomic(os.path.join(self.log_dir, BY_GROUP), self._layers.as_array(), self.fsync)
        self._unflushed = 0

    def _write_manifest(self, complete: bool, error: Optional[str] = None) -> None:
        write_manifest(self, complete, error)

    def _remove_old_files(self) -> None:
        remove_old_files(self.log_dir, self.rank, self.world_size)

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            warnings.warn(message, RuntimeWarning, stacklevel=3)
