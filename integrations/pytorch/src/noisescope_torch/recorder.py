"""NoiseRecorder: gradient-noise statistics inside an ordinary training loop.

Where each recording step's gradients come from (README "Per-example noise",
"How the local gradient is obtained under DDP", "One process"):

- DDP, W >= 2 ranks: a DDP communication hook sees each rank's local gradient
  g_r before the all-reduce (``_ddp_hook.py``); noise norm |g_r - g|, g the mean.
- Several ranks without DDP: ``.grad`` at ``step()`` is the local gradient; the
  recorder all-reduces a float64 copy itself (``_exchange.py``).
- One process: the batch gradient g_B is ``.grad``. Per-example noise (the
  default): module hooks capture each example's share of the gradient during
  the user's backward (``_rules.py``, ``_capture.py``), giving |g_i - g_B| for
  every example and, from the same Gram matrix, the noise |h_j - g_B| of
  sub-batches (``_per_example.py``). Where per-example gradients are not
  defined (BatchNorm) or with ``per_example=False``: given the batch
  (``step(s, inputs=x, targets=y)``) and ``loss_fn``, the recorder recomputes the
  gradients h_j of the first ``micro_samples`` of ``micro_batches`` micro-batches
  (``_grads.py``); noise norm |h_j - g_B|. Or, with ``reference=``, |g_B - ref|.
- Per-example noise with several ranks: each rank's hooks, against the
  all-reduced gradient; the norms are gathered on rank 0.

With several ranks each recording step ends with one small non-blocking
all_gather of six numbers per rank; the record (steps.jsonl line, NPY update) is
completed at the next ``step()`` call, or at ``close()``, so the exchange
overlaps the next training step. The NPY files are rewritten at most every
``npy_flush_seconds``.

This class is the orchestration; the parts are: parameters ``_params.py``, rows
``_ddp_hook.py`` / ``_exchange.py`` / ``_grads.py`` (per mode: ``_recording.py``),
per-example noise ``_per_example.py`` over ``_rules.py`` / ``_capture.py`` /
``_stats.py``, the schedule ``_schedule.py``, records and the rank-merge rule
``_records.py``, per-layer fields ``_layers.py``, files ``_files.py`` (the one
manifest writer) over the formats of ``_io.py``.
"""

from __future__ import annotations

import sys
import warnings
from types import TracebackType
from typing import Any, Dict, List, Optional, Sequence, Set, Type

import numpy as np
import torch
import torch.distributed as dist

from ._config import RecorderConfig, resolve
from ._ddp_hook import CommHook, DDPHook
from ._dist import all_gather_rows, group_info
from ._exchange import Pending, launch
from ._grads import LossFn
from ._files import NOISE_REFERENCE, TrainFiles, file_names, prepare_log_dir, train_batch_sizes, write_manifest
from ._io import utc_now
from ._layers import LayerStats
from ._params import Reference, ReferenceGradient, count, ddp_ignored, flatten_like, flatten_reference, is_ddp, \
    is_fsdp2, trainable, unwrap
from ._per_example import PerExample, PerExampleUnavailable
from ._recording import RecordingSteps
from ._schedule import Schedule
from .estimates import TwoBatchEMA

__all__ = ["NoiseRecorder", "RecorderConfig", "flatten_like"]


class NoiseRecorder(RecordingSteps):
    """Records gradient-noise statistics into ``log_dir`` (schema
    ``noisescope-log/1``, see SCHEMA.md): by default a noise sample per example
    on every step until 5,000 are in, then every 10th step (``_schedule.py``).

    Call ``step(step, inputs=x, targets=y)`` after ``loss.backward()`` and before
    ``optimizer.step()``, on every rank at every step, and ``close()`` at the end
    (also on every rank). ``inputs``/``targets`` are needed in one process (they
    are ignored with several ranks, so one script serves both).

    Args:
        model: the module being trained, or its DistributedDataParallel wrapper.
        log_dir: output directory (created; shared by the ranks, each writes its own file).
        config: the options, a :class:`RecorderConfig` (``every``, ``batch_size``,
            ``loss_fn``, ``micro_batches``, ... ``per_example``; their meaning is
            documented there).
        every, batch_size, loss_fn, ...: the same options as keywords, as
            before ``config`` existed (``every`` and ``batch_size`` also
            positionally). With ``config`` too, a keyword may set an option
            the config leaves at its default; one that contradicts the
            config's value raises ValueError.
    """

    def __init__(self, model: torch.nn.Module, log_dir: str, every: Optional[int] = None,
                 batch_size: Optional[int] = None, *,
                 loss_fn: Optional[LossFn] = None, micro_batches: int = 8, micro_samples: Optional[int] = None,
                 dataset_size: Optional[int] = None, seed: Optional[int] = None, ema_decay: float = 0.95,
                 start_step: int = 0, process_group: Optional[dist.ProcessGroup] = None, reference: Reference = None,
                 comm_hook: Optional[CommHook] = None, comm_state: Any = None, overwrite: bool = False,
                 npy_flush_seconds: float = 1.0, fsync: bool = False, per_layer: bool = True,
                 groups: Optional[Dict[str, Sequence[str]]] = None, per_example: bool = True,
                 config: Optional[RecorderConfig] = None):
        self.config = c = resolve(config, dict(
            every=every, batch_size=batch_size, loss_fn=loss_fn, micro_batches=micro_batches,
            micro_samples=micro_samples, dataset_size=dataset_size, seed=seed, ema_decay=ema_decay,
            start_step=start_step, process_group=process_group, reference=reference, comm_hook=comm_hook,
            comm_state=comm_state, overwrite=overwrite, npy_flush_seconds=npy_flush_seconds, fsync=fsync,
            per_layer=per_layer, groups=groups, per_example=per_example))
        # From here on the options are the config's (c): a keyword above may have deferred to it.
        self.batch_size = None if c.batch_size is None else int(c.batch_size)
        self.dataset_size = None if c.dataset_size is None else int(c.dataset_size)
        self.log_dir, self.fsync, self.seed = str(log_dir), c.fsync, c.seed
        self._module, self.group, self._ddp = unwrap(model, c.process_group, allow_fsdp2=True)
        self.rank, self.world_size = group_info(self.group)
        self.mode = "fsdp" if is_fsdp2(model) else \
            ("ddp" if self._ddp else "allreduce") if self.world_size > 1 else \
            "reference" if c.reference is not None else "micro"
        self.loss_fn = c.loss_fn
        if self.mode == "reference" and c.loss_fn is not None:
            raise ValueError("noisescope_torch: pass either loss_fn= (noise against the batch gradient) or "
                             "reference= (noise against a fixed gradient), not both")
        self._names, self._params = trainable(self._module, ddp_ignored(model))
        self.parameter_count = count(self._params)
        self._device = self._params[0].device
        self._pe: Optional[PerExample] = None
        self._asked_per_example, self.per_example_reason = bool(c.per_example), None
        if c.per_example and self.mode == "reference":
            self.per_example_reason = "reference= measures the batch gradient against a fixed gradient"
        elif c.per_example:
            try:
                self._pe = PerExample(self._module, self._names, self._params)
            except PerExampleUnavailable as why:
                self.per_example_reason = f"per-example noise is not available for this model: {why}"
        self.micro_batches = int(c.micro_batches)
        self.micro_samples = int(c.micro_samples) if c.micro_samples is not None else \
            self.micro_batches if self._pe is not None else 1
        if self.mode == "micro":
            self._check_one_process()
            if self._pe is not None:      # the sub-batches its steps will ask for (early statistics, _capture.py)
                self._pe.capture.sub_batches = (self.micro_batches, self.micro_samples)
        elif self.mode == "fsdp":
            self._check_fsdp()
        self._schedule = Schedule(c.every, dense=self._pe is not None)
        self.every = self._schedule.every
        self._layers = LayerStats(self._module, self._names, self._params, c.groups, c.ema_decay) \
            if c.per_layer else None

        # The first collective: before any collective on gradients.
        prepare_log_dir(self.log_dir, self.rank, self.world_size, self.group,
                        {"parameter count": self.parameter_count, "number of parameter tensors": len(self._params),
                         "local batch size": -1 if self.batch_size is None else self.batch_size,
                         "recording interval (every)": self.every, "start step": int(c.start_step),
                         "per-layer recording": int(c.per_layer), "per-example noise": int(self._pe is not None)},
                        "NoiseRecorder", c.overwrite)
        if c.reference is not None and self.world_size > 1:
            raise ValueError("noisescope_torch: reference= is for single-process runs; with several ranks the "
                             "noise is measured against the mean gradient over ranks")
        self._reference: Optional[torch.Tensor] = None
        if c.reference is not None:
            self.set_reference(c.reference)

        self.model_class = type(self._module).__name__
        self.created = utc_now()
        self._ema = TwoBatchEMA(beta=float(c.ema_decay))
        self._seen_batch: Optional[int] = None   # one process: B of the first recorded batch
        self._pending: Optional[Pending] = None
        self._closed = False
        self._warned: Set[str] = set()
        self._next_step = int(c.start_step)
        self._forced = False
        self._write_manifest(complete=False)
        self._files = TrainFiles(self.log_dir, self.rank, self.world_size, self._layers, c.fsync,
                                 c.npy_flush_seconds, per_example=self._pe is not None)
        self._probed = False
        self.summary: Optional[str] = None
        self._hook: Optional[DDPHook] = None
        if self.mode == "ddp" and is_ddp(model):
            self._hook = DDPHook(self.parameter_count, self._layers, self.group, self._warn_once)
            self._hook.register(model, c.comm_hook, c.comm_state)
        if self.per_example_reason is not None and self.rank == 0 and self.mode != "reference":
            self._warn_once("per-example", f"noisescope_torch: {self.per_example_reason}; recording "
                            f"{'micro-batch' if self.mode == 'micro' else 'per-rank'} noise instead")
        self._rearm()

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
        if b is None and self._pe is not None and self.world_size > 1:
            b = sum(self._pe.capture.sizes.values()) or None     # the examples the hooks saw on this rank
        completed = self._finish_pending()
        try:
            due = self._schedule.due(s, self._samples) or self._forced
            if self._hook is not None:
                if self._hook.armed:
                    row = self._hook.row(b)
                    self._pending = launch(s, row, self.group, self.world_size)
                    if self._pe is not None:
                        self._ranks_examples(s, self._unclipped_mean(float(row[3])))
                elif due:
                    self._warn_once("unarmed", f"noisescope_torch: step {s} was due for recording, but the DDP hook "
                                    f"was not armed before its backward (step numbers not consecutive?); skipped. "
                                    f"Pass consecutive step numbers, or call recorder.arm() before backward")
            elif self.mode == "fsdp" and due:
                self._fsdp_step(s, b)
            elif self.mode == "allreduce" and due:
                means: List[torch.Tensor] = []
                self._pending = launch(s, self._grads_row(b, means), self.group, self.world_size)
                flat = torch.split(means[0], [p.numel() for p in self._params])
                self._ranks_examples(s, flat)
            elif self.mode == "reference" and due:
                completed = self._complete(s, self._grads_row(b).view(1, -1).cpu().tolist())
            elif self.mode == "micro" and due:
                rows, examples = self._one_process(s, inputs, targets)
                if rows is not None:
                    completed = self._complete(s, rows, examples)
        finally:
            self._next_step = s + 1
            self._forced = False
            self._rearm()
        return completed

    def arm(self) -> None:
        """Record the next step whatever the schedule says (call before its
        forward for per-example noise, before its backward for the DDP hook; on
        every rank)."""
        self._forced = True
        if self._hook is not None:
            self._hook.armed = True
        if self._pe is not None:
            self._pe.armed = True

    @property
    def will_record_next(self) -> bool:
        """Whether the next ``step()`` (with consecutive numbering) records."""
        return self._forced or self._schedule.due(self._next_step, self._samples)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def per_example(self) -> bool:
        """Whether per-example noise is being recorded."""
        return self._pe is not None

    def set_reference(self, reference: ReferenceGradient) -> None:
        """Single process: the gradient against which ``noise_norm`` is measured
        (per-example noise stops: it is measured against the batch's own mean)."""
        if self.world_size > 1:
            raise ValueError("noisescope_torch: set_reference is for single-process runs")
        self._reference = flatten_reference(reference, self._names, self._params, self._device)
        self.mode = "reference"
        if self._pe is not None:
            self._pe.capture.remove()
            self._pe, self._files.per_example = None, False
            self.per_example_reason = "reference= measures the batch gradient against a fixed gradient"

    @property
    def noise_norms(self) -> np.ndarray:
        """This rank's noise norms so far."""
        return np.asarray(self._files.own, dtype=np.float64)

    @property
    def noise_per_example(self) -> np.ndarray:
        """Rank 0: every example's noise norm so far (all ranks), in step order."""
        return np.asarray(self._files.examples, dtype=np.float64)

    @property
    def running_b_simple(self) -> Optional[float]:
        return self._ema.b_simple

    def flush(self) -> None:
        """Writes this rank's NPY files now (they are otherwise rewritten at most
        every ``npy_flush_seconds``), so that a reader of ``log_dir`` sees every
        completed record (``scalars.py`` flushes before it runs the verdict)."""
        if not self._closed:
            self._files.flush()

    def close(self, sync: bool = True) -> Optional[Dict[str, Any]]:
        """Completes the last record, writes every file a last time and marks
        the manifest complete. With ``sync`` (default) and several ranks this is
        a collective: call it on every rank. ``sync=False`` makes no collective
        (the last record, if still in flight, is dropped). Returns the record
        completed during this call (several ranks: the last recorded step's), else None."""
        return self._close(sync=sync, error=None)

    def __enter__(self) -> "NoiseRecorder":
        return self

    def __exit__(self, kind: Optional[Type[BaseException]], value: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> None:
        # After an exception other ranks may be gone: no collective then, and the
        # manifest stays "complete": false, with the error.
        self._close(sync=kind is None, error=None if kind is None else f"{kind.__name__}: {value}")

    def _close(self, sync: bool, error: Optional[str]) -> Optional[Dict[str, Any]]:
        if self._closed:
            return None
        self._closed = True
        completed = None
        if self._hook is not None:
            self._hook.armed = False
        if self._pe is not None:
            self._pe.armed = False
            self._pe.capture.remove()
        if error is None and sync:
            completed = self._finish_pending()
        else:
            self._pending = None  # other ranks may be gone: never wait on a collective now
        self._files.flush()
        if sync and self.world_size > 1:
            all_gather_rows([len(self._files.own)], self.group)  # every rank has written its files
        self._write_manifest(complete=error is None, error=error)
        self._files.close()
        if error is None and self.rank == 0:
            self.summary = self._sample_summary()
            print(self.summary, file=sys.stderr)
        return completed

    # ------------------------------------------------------------ internals

    @property
    def _samples(self) -> int:
        """Per-example samples so far (the same number on every rank)."""
        return self._pe.samples if self._pe is not None else 0

    def _rearm(self) -> None:
        """After a step: forget what the hooks saw; arm them when the next step is due."""
        due = self._schedule.due(self._next_step, self._samples)
        if self._hook is not None:
            self._hook.reset()
            self._hook.armed = due
        if self._pe is not None:
            self._pe.capture.reset()
            self._pe.armed = due

    def _write_manifest(self, complete: bool, error: Optional[str] = None) -> None:
        """manifest.json (rank 0) through the one writer, ``_files.write_manifest``."""
        if self.rank != 0:
            return
        done = bool(complete or error)
        b_small, b_big = train_batch_sizes(self.mode, self.batch_size, self._seen_batch, self.micro_batches,
                                           self.world_size)
        micro = self.mode == "micro"
        layers: Dict[str, Any] = self._layers.manifest_fields() if self._layers is not None else {"groups": None}
        if self.mode == "fsdp":               # written only when true: other logs stay as they were
            layers["fsdp"] = True
        if self._asked_per_example:           # absent with per_example=False: the log of earlier versions
            layers["schedule"] = self._schedule.manifest()
            layers["per_example"] = {"enabled": False, "reason": self.per_example_reason} if self._pe is None else \
                {"enabled": True, **self._pe.manifest(), "samples": len(self._files.examples) if done else None}
        write_manifest(self.log_dir, self.fsync, mode="train", model_class=self.model_class, params=self._params,
                       world_size=self.world_size, group=self.group, noise_reference=NOISE_REFERENCE[self.mode],
                       batch_size_small=b_small, batch_size_big=b_big,
                       micro_batches=self.micro_batches if micro else None,
                       micro_samples=self.micro_samples if micro else None, dataset_size=self.dataset_size,
                       ddp=self._ddp, every=self.every, ema_decay=self._ema.beta, seed=self.seed,
                       created=self.created, closed=utc_now() if done else None, complete=complete, error=error,
                       records=self._files.records if done else None,
                       files=file_names(self.world_size, steps=True, by_group=self._layers is not None,
                                        per_example=self._pe is not None), **layers)

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            warnings.warn(message, RuntimeWarning, stacklevel=3)
