"""NoiseRecorder: gradient-noise statistics inside an ordinary training loop.

How the local gradient is obtained
----------------------------------
Under DistributedDataParallel the ``.grad`` seen after ``backward()`` is already
the all-reduced mean, so the recorder registers a **DDP communication hook**
(``DistributedDataParallel.register_comm_hook``). DDP calls it once per gradient
bucket, during backward, with the bucket's *local* gradient, before any
communication. On recording steps the hook copies the bucket (float64), runs the
ordinary all-reduce (or the user's own hook, passed as ``comm_hook=``), and in
the future's callback compares the local copy with the reduced mean, keeping
three scalars per bucket: |g_local|^2, |g_mean|^2 and |g_local - g_mean|^2. The
copy is freed as soon as its bucket is reduced, so the extra memory is bounded
by the buckets in flight (at most one gradient copy). Nothing changes on other
steps except one Python call per bucket. Why a comm hook: it is DDP's public
interface for seeing a bucket before the all-reduce, it needs no change to the
user's loop (no ``no_sync()`` and no second backward), it sees exactly the
tensors DDP reduces (so it stays right with gradient accumulation under
``no_sync()``, with ``gradient_as_bucket_view`` and with bucket rebuilding);
parameter hooks, by contrast, would depend on the order in which they and DDP's
own autograd hooks fire.

Because the hook must know *before* backward whether to copy, it is armed from
the step numbers: after ``step(s)`` it arms for the backward of ``s + 1`` when
``(s + 1) % every == 0`` (and for ``start_step`` at construction). Pass
consecutive step numbers (or none), or call ``arm()`` before a backward to
record that step whatever ``every`` says.

With several ranks each recording step ends with one small non-blocking
all_gather of five numbers per rank (validity, |g_r - g|^2, |g_r|^2, |g|^2,
B_small); the record (steps.jsonl line, NPY update) is completed at the next
``step()`` call, or at ``close()``, so the exchange overlaps the next training
step. The NPY files are rewritten at most every ``npy_flush_seconds``.

Without DDP but with a process group of several ranks (``.grad`` is the local
gradient when ``step()`` is called, e.g. before your own all-reduce), the
recorder all-reduces a float64 copy of the gradient itself on recording steps.
In one process (world size 1) two batch sizes cannot be formed from one
backward: the recorder logs |g_B|^2, and the noise norm |g_B - reference| only
when you give a reference gradient (``reference=`` or ``set_reference``, e.g.
the full gradient from :func:`measure_noise`); otherwise noise fields are null.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.distributed as dist

from . import __version__
from ._dist import all_gather_rows, check_same_across_ranks, comm_device, group_info
from ._io import (MANIFEST, MERGED, SCHEMA, STEPS, JsonlAppender, rank_file, utc_now, write_json_atomic,
                  write_npy_atomic)
from .estimates import TwoBatchEMA, safe_ratio, two_batch_estimates

_NAN = float("nan")


@dataclass
class _Pending:
    """A recording step whose all_gather is in flight."""
    step: int
    work: Any
    parts: List[torch.Tensor]
    host: Optional[torch.Tensor] = None
    event: Any = None


def _is_ddp(model: torch.nn.Module) -> bool:
    from torch.nn.parallel import DistributedDataParallel
    return isinstance(model, DistributedDataParallel)


def _refuse_sharded(model: torch.nn.Module) -> None:
    name = type(model).__name__
    try:
        from torch.distributed.fsdp import FullyShardedDataParallel
        sharded = isinstance(model, FullyShardedDataParallel)
    except Exception:  # pragma: no cover - FSDP unavailable
        sharded = False
    if sharded or name in ("FullyShardedDataParallel", "FSDPModule") or hasattr(model, "_fsdp_wrapped_module"):
        raise TypeError(f"noisescope_torch: {name} shards gradients across ranks; NoiseRecorder supports a plain "
                        f"module or DistributedDataParallel (use measure_noise on the unsharded model instead)")


def flatten_like(tensors: Sequence[Optional[torch.Tensor]], params: Sequence[torch.Tensor],
                 device: torch.device) -> torch.Tensor:
    """One float64 vector of ``tensors`` (None -> zeros of the parameter's size)."""
    parts = []
    for t, p in zip(tensors, params):
        if t is None:
            parts.append(torch.zeros(p.numel(), dtype=torch.float64, device=device))
        else:
            if t.is_sparse:
                t = t.to_dense()
            parts.append(t.detach().reshape(-1).to(device=device, dtype=torch.float64))
    if not parts:
        return torch.zeros(0, dtype=torch.float64, device=device)
    return torch.cat(parts)


class NoiseRecorder:
    """Records gradient-noise statistics every ``every`` steps into ``log_dir``
    (schema ``noisescope-log/1``, see SCHEMA.md).

    Call ``step(step)`` after ``loss.backward()`` and before ``optimizer.step()``,
    on every rank at every step, and ``close()`` at the end (also on every rank).

    Args:
        model: the module being trained, or its DistributedDataParallel wrapper.
        log_dir: output directory (created; shared by the ranks, each writes its own file).
        every: record at steps ``s`` with ``s % every == 0``.
        batch_size: examples per rank per step (B_small); needed for the
            McCandlish estimates (|G|^2, tr(Sigma), B_simple). Can be given per step.
        seed: written to the manifest (the recorder itself draws no random numbers).
        ema_decay: decay of the running |G|^2 and tr(Sigma) averages.
        start_step: the first step number (the hook is armed for it).
        process_group: group of a non-DDP model (default: the world); a DDP
            model uses its own ``process_group``.
        reference: single process only: a reference gradient (flat tensor, list
            of tensors in ``model.parameters()`` order, or dict name -> tensor).
        comm_hook, comm_state: your own DDP comm hook, which the recorder wraps
            (DDP accepts one hook; its reduced result must be the mean gradient).
        overwrite: replace an existing log in ``log_dir`` (otherwise refused).
        npy_flush_seconds: rewrite the NPY files at a record when at least this
            many seconds have passed since their last rewrite (0: at every
            record); they are always rewritten at close, and steps.jsonl gets
            its line at every record regardless.
        fsync: fsync every file write (survives power loss, not only a killed process).
    """

    def __init__(self, model: torch.nn.Module, log_dir: str, every: int = 10, batch_size: Optional[int] = None, *,
                 seed: Optional[int] = None, ema_decay: float = 0.95, start_step: int = 0,
                 process_group: Optional[dist.ProcessGroup] = None,
                 reference: Union[None, torch.Tensor, Sequence[torch.Tensor], Dict[str, torch.Tensor]] = None,
                 comm_hook: Optional[Callable] = None, comm_state: Any = None, overwrite: bool = False,
                 npy_flush_seconds: float = 1.0, fsync: bool = False):
        if int(every) < 1:
            raise ValueError(f"every must be at least 1, got {every}")
        if batch_size is not None and int(batch_size) < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        if not 0.0 <= ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {ema_decay}")
        _refuse_sharded(model)
        self.every = int(every)
        self.batch_size = None if batch_size is None else int(batch_size)
        self.log_dir = str(log_dir)
        self.fsync = fsync
        self.npy_flush_seconds = max(0.0, float(npy_flush_seconds))
        self._ddp = _is_ddp(model)
        module = model.module if self._ddp else model
        self.group = model.process_group if self._ddp else process_group
        self.rank, self.world_size = group_info(self.group)
        if self._ddp and self.world_size > 1:
            self.mode = "ddp"
        elif self.world_size > 1:
            self.mode = "allreduce"
        else:
            self.mode = "single"
        ignored = set(getattr(model, "parameters_to_ignore", ()) or ()) if self._ddp else set()
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad and n not in ignored]
        self._names = [n for n, _ in named]
        self._params = [p for _, p in named]
        self.parameter_count = sum(p.numel() for p in self._params)
        self._device = self._params[0].device if self._params else torch.device("cpu")
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
                 "recording interval (every)": self.every, "start step": int(start_step)},
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
        self._records = 0
        self._unflushed = 0
        self._last_flush = float("-inf")
        self._pending: Optional[_Pending] = None
        self._closed = False
        self._warned: set = set()
        self._next_step = int(start_step)
        self._forced = False
        self._hook_stats: List[Tuple[torch.Tensor, int]] = []
        self._hook_error: Optional[BaseException] = None
        self._armed = self.mode == "ddp" and self._next_step % self.every == 0
        self._steps: Optional[JsonlAppender] = None
        if self.rank == 0:
            self._write_manifest(complete=False)
            self._steps = JsonlAppender(os.path.join(self.log_dir, STEPS), fsync=fsync)
        if self.mode == "ddp":
            self._register_hook(model, comm_hook, comm_state)

    # ------------------------------------------------------------ public API

    def step(self, step: Optional[int] = None, batch_size: Optional[int] = None) -> Optional[Dict[str, Any]]:
        """Call after backward, before optimizer.step(), on every rank.

        With several ranks the statistics of a recording step are exchanged with
        a non-blocking all_gather, and its record is completed (steps.jsonl line,
        NPY update) at the next ``step()`` call, so the exchange overlaps the
        next training step; in one process a record is completed at once.
        Returns the record completed during this call (rank 0: every field;
        other ranks: the same fields, computed from the gathered statistics),
        else None."""
        if self._closed:
            raise RuntimeError("noisescope_torch: NoiseRecorder.step() after close()")
        s = self._next_step if step is None else int(step)
        b = self.batch_size if batch_size is None else int(batch_size)
        completed = self._finish_pending()
        try:
            if self.mode == "ddp":
                if self._armed:
                    completed = self._launch(s, b, self._row_from_hook(b)) or completed
                elif s % self.every == 0 or self._forced:
                    self._warn_once("unarmed", f"noisescope_torch: step {s} was due for recording, but the DDP hook "
                                    f"was not armed before its backward (step numbers not consecutive?); skipped. "
                                    f"Pass consecutive step numbers, or call recorder.arm() before backward")
            elif s % self.every == 0 or self._forced:
                completed = self._launch(s, b, self._row_from_grads(b)) or completed
        finally:
            self._next_step = s + 1
            self._forced = False
            self._hook_stats = []
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

    def set_reference(self, reference: Union[torch.Tensor, Sequence[torch.Tensor], Dict[str, torch.Tensor]]) -> None:
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

    def _register_hook(self, model, comm_hook, comm_state) -> None:
        if comm_hook is None:
            from torch.distributed.algorithms.ddp_comm_hooks.default_hooks import allreduce_hook
            inner, inner_state = allreduce_hook, self.group
        else:
            inner, inner_state = comm_hook, comm_state
        recorder = self

        def noisescope_hook(state, bucket):
            if not recorder._armed:
                return inner(inner_state, bucket)
            local = bucket.buffer().detach().to(dtype=torch.float64, copy=True)
            future = inner(inner_state, bucket)

            def compare(done):
                reduced = done.value()
                try:
                    mean = reduced[0] if isinstance(reduced, (list, tuple)) else reduced
                    mean = mean.detach().to(dtype=torch.float64)
                    local_sq = torch.dot(local, local)
                    mean_sq = torch.dot(mean, mean)
                    local.sub_(mean)
                    noise_sq = torch.dot(local, local)
                    recorder._hook_stats.append((torch.stack([local_sq, mean_sq, noise_sq]), mean.numel()))
                except BaseException as error:  # never break training
                    recorder._hook_error = error
                return reduced

            return future.then(compare)

        try:
            model.register_comm_hook(state=None, hook=noisescope_hook)
        except RuntimeError as error:
            raise RuntimeError(f"noisescope_torch: could not register the recorder's DDP comm hook ({error}). DDP "
                               f"takes a single comm hook: pass yours as NoiseRecorder(..., comm_hook=hook, "
                               f"comm_state=state) instead of registering it yourself") from error

    def _row_from_hook(self, b: Optional[int]) -> torch.Tensor:
        """[valid, |g_r - g|^2, |g_r|^2, |g|^2, B] from the hook's bucket statistics,
        left on the gradients' device (no host synchronisation here)."""
        stats, error = list(self._hook_stats), self._hook_error
        seen = sum(n for _, n in stats)
        batch = -1.0 if b is None else float(b)
        device = comm_device(self.group)
        if error is not None:
            self._warn_once("hookerror", f"noisescope_torch: the comm hook failed ({error!r}); step skipped")
            return torch.tensor([0.0, _NAN, _NAN, _NAN, batch], dtype=torch.float64, device=device)
        if seen != self.parameter_count:
            why = ("several synchronised backward passes since the last step() (use no_sync() for accumulation)"
                   if seen > self.parameter_count else "buckets missing (no synchronised backward since the last step()?)")
            self._warn_once("hookcount", f"noisescope_torch: the comm hook saw {seen:,} gradient values, expected "
                            f"{self.parameter_count:,}: {why}; step skipped")
            return torch.tensor([0.0, _NAN, _NAN, _NAN, batch], dtype=torch.float64, device=device)
        total = torch.stack([t.to(device) for t, _ in stats]).sum(dim=0)      # local_sq, mean_sq, noise_sq
        head = torch.tensor([1.0], dtype=torch.float64, device=device)
        tail = torch.tensor([batch], dtype=torch.float64, device=device)
        return torch.cat([head, total[2:3], total[0:2], tail])

    def _row_from_grads(self, b: Optional[int]) -> torch.Tensor:
        local = flatten_like([p.grad for p in self._params], self._params, self._device)
        local_sq = float(torch.dot(local, local))
        mean_sq = noise_sq = _NAN
        if self.mode == "allreduce":
            device = comm_device(self.group)
            mean = local.to(device=device, copy=True)
            dist.all_reduce(mean, group=self.group)
            mean.div_(self.world_size)
            mean = mean.to(self._device)
            mean_sq = float(torch.dot(mean, mean))
            local.sub_(mean)
            noise_sq = float(torch.dot(local, local))
        elif self._reference is not None:
            local.sub_(self._reference)
            noise_sq = float(torch.dot(local, local))
        row = [1.0, noise_sq, local_sq, mean_sq, -1.0 if b is None else float(b)]
        device = comm_device(self.group) if self.world_size > 1 else torch.device("cpu")
        return torch.tensor(row, dtype=torch.float64, device=device)

    def _launch(self, s: int, b: Optional[int], row: torch.Tensor) -> Optional[Dict[str, Any]]:
        """Starts the exchange of this rank's row; in one process completes the record now."""
        if self.world_size == 1:
            return self._complete(s, row.cpu().view(1, -1).tolist())
        parts = [torch.empty_like(row) for _ in range(self.world_size)]
        work = dist.all_gather(parts, row, group=self.group, async_op=True)
        pending = _Pending(step=s, work=work, parts=parts)
        if row.is_cuda:
            # NCCL: make the stream wait for the gather, copy to pinned memory behind
            # it, and later wait only for that event (not for the next backward).
            work.wait()
            pending.host = torch.empty((self.world_size, row.numel()), dtype=torch.float64, pin_memory=True)
            pending.host.copy_(torch.stack(parts), non_blocking=True)
            pending.event = torch.cuda.Event()
            pending.event.record()
        self._pending = pending
        return None

    def _finish_pending(self) -> Optional[Dict[str, Any]]:
        pending, self._pending = self._pending, None
        if pending is None:
            return None
        if pending.event is not None:
            pending.event.synchronize()
            rows = pending.host.tolist()
        else:
            pending.work.wait()
            rows = torch.stack(pending.parts).tolist()
        return self._complete(pending.step, rows)

    def _complete(self, s: int, rows: List[List[float]]) -> Optional[Dict[str, Any]]:
        """Turns the gathered rows [valid, noise_sq, local_sq, mean_sq, B] (one per
        rank) into the record; writes it (rank 0) and this rank's sample."""
        if not all(r[0] == 1.0 for r in rows):
            bad = [i for i, r in enumerate(rows) if r[0] != 1.0]
            self._warn_once("invalid", f"noisescope_torch: step {s} not recorded: rank(s) {bad} had no complete "
                            f"local gradient")
            return None
        norms = [math.sqrt(r[1]) if math.isfinite(r[1]) else None for r in rows]
        own = norms[self.rank]
        if own is not None:
            self._samples.append(own)
        if self.rank == 0:
            if self.world_size == 2:
                self._merged.append(norms[0])          # both ranks' norms are equal
            else:
                self._merged.extend(n for n in norms if n is not None)
        record: Dict[str, Any] = {"step": s, "record": self._records, "time": round(time.time(), 3),
                                  "world_size": self.world_size}
        valid_norms = [n for n in norms if n is not None]
        record["noise_norm"] = sum(valid_norms) / len(valid_norms) if valid_norms else None
        record["noise_norms"] = norms
        small = [r[4] for r in rows]
        b_small = small[0] if small[0] > 0 and len(set(small)) == 1 else None
        b_big = b_small * self.world_size if b_small is not None else None
        record["b_small"] = int(b_small) if b_small is not None else None
        record["b_big"] = int(b_big) if b_big is not None else None
        g_small_sq = sum(r[2] for r in rows) / len(rows)
        record["g_small_sq"] = g_small_sq
        record["g_big_sq"] = rows[0][3] if self.world_size > 1 else None
        g_sq = trace = None
        if self.world_size > 1 and b_small is not None:
            g_sq, trace = two_batch_estimates(g_small_sq, rows[0][3], b_small, b_big)
            self._ema.update(g_sq, trace)
        elif self.world_size > 1 and len(set(small)) > 1:
            self._warn_once("unequal", f"noisescope_torch: local batch sizes differ across ranks {small}; the "
                            f"two-batch estimates need equal ones and are null for such steps")
        record["g_sq_est"] = g_sq
        record["trace_sigma_est"] = trace
        record["b_simple"] = safe_ratio(trace, g_sq)
        record["g_sq_est_ema"] = self._ema.g_sq
        record["trace_sigma_est_ema"] = self._ema.trace
        record["b_simple_ema"] = self._ema.b_simple
        self._records += 1
        if self._steps is not None:
            self._steps.write(record)
        self._unflushed += 1
        if time.monotonic() - self._last_flush >= self.npy_flush_seconds:
            self._flush_npy()
        return record

    def _flush_npy(self) -> None:
        self._last_flush = time.monotonic()
        if self.mode == "single" and self._reference is None and not self._samples:
            self._unflushed = 0
            return  # no noise samples in this mode: no NPY files
        if self._unflushed == 0 and os.path.exists(os.path.join(self.log_dir, rank_file(self.rank))):
            return
        write_npy_atomic(os.path.join(self.log_dir, rank_file(self.rank)), self._samples, self.fsync)
        if self.rank == 0:
            write_npy_atomic(os.path.join(self.log_dir, MERGED), self._merged, self.fsync)
        self._unflushed = 0

    def _write_manifest(self, complete: bool, error: Optional[str] = None) -> None:
        has_noise = self.world_size > 1 or self._reference is not None
        manifest = {
            "schema": SCHEMA,
            "mode": "train",
            "noise_reference": ("mean-over-ranks" if self.world_size > 1 else
                                "user-reference" if self._reference is not None else None),
            "model_class": self.model_class,
            "parameter_count": self.parameter_count,
            "parameter_tensors": len(self._params),
            "batch_size_small": self.batch_size,
            "batch_size_big": None if self.batch_size is None else self.batch_size * self.world_size,
            "world_size": self.world_size,
            "ddp": self._ddp,
            "backend": str(dist.get_backend(self.group)) if self.world_size > 1 else None,
            "every": self.every,
            "ema_decay": self._ema.beta,
            "seed": self.seed,
            "torch_version": torch.__version__,
            "numpy_version": np.__version__,
            "noisescope_torch_version": __version__,
            "created": self.created,
            "closed": utc_now() if (complete or error) else None,
            "complete": complete,
            "error": error,
            "records": self._records if (complete or error) else None,
            "files": {
                "steps": STEPS,
                "noise_norms": MERGED if has_noise else None,
                "rank_noise_norms": [rank_file(r) for r in range(self.world_size)] if has_noise else [],
            },
        }
        write_json_atomic(os.path.join(self.log_dir, MANIFEST), manifest, self.fsync)

    def _remove_old_files(self) -> None:
        names = [rank_file(self.rank)]
        if self.rank == 0:
            names += [MANIFEST, STEPS, MERGED]
            for name in os.listdir(self.log_dir):
                if name.startswith("noise_norms.rank") and name.endswith(".npy"):
                    try:
                        r = int(name[len("noise_norms.rank"):-len(".npy")])
                    except ValueError:
                        continue
                    if r >= self.world_size:
                        names.append(name)
        for name in names:
            try:
                os.remove(os.path.join(self.log_dir, name))
            except FileNotFoundError:
                pass

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            warnings.warn(message, RuntimeWarning, stacklevel=3)
