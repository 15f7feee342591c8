"""A log directory as its writers see it: the one writer of manifest.json
(both modes), the files of a training rank (steps.jsonl and the NPY files,
rewritten at most every ``flush_seconds``), and the log directory's
preparation (a check across ranks, refusal or removal of an earlier log). The file formats and the reader are in ``_io.py``."""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.distributed as dist

from . import __version__
from ._dist import check_same_across_ranks
from ._io import BY_GROUP, EXAMPLE_STEPS, EXAMPLES, MANIFEST, MERGED, RANK_PREFIX, RANK_SUFFIX, SCHEMA, STEPS, \
    JsonlAppender, rank_file, write_json_atomic, write_npys_atomic
from ._layers import LayerStats

# The order of the manifest's fields in both modes (a mode writes the ones it has).
FIELD_ORDER = (
    "schema", "mode", "noise_reference", "model_class", "parameter_count", "parameter_tensors",
    "batch_size_small", "batch_size_big", "world_size", "micro_batches", "micro_samples", "dataset_size",
    "ddp", "fsdp", "backend", "every", "ema_decay", "examples", "samples", "full_batch_size", "seed",
    "torch_version", "numpy_version", "noisescope_torch_version", "created", "closed", "complete", "error",
    "records", "full_gradient_norm", "full_gradient_examples", "files", "groups", "group_rule", "tensors",
    "wall_seconds", "schedule", "per_example",
)

# noise_reference of a training log, by NoiseRecorder mode.
NOISE_REFERENCE = {"ddp": "mean-over-ranks", "allreduce": "mean-over-ranks", "fsdp": "mean-over-ranks",
                   "reference": "user-reference",
                   "micro": "batch-gradient"}


def write_manifest(log_dir: str, fsync: bool, *, mode: str, model_class: str, params: Sequence[torch.Tensor],
                   world_size: int, group: Optional[dist.ProcessGroup], **fields: Any) -> Dict[str, Any]:
    """Writes manifest.json (schema noisescope-log/1, SCHEMA.md) atomically and
    returns it: ``schema``, the versions, ``parameter_count``,
    ``parameter_tensors`` and ``backend`` filled in here, the mode's own
    ``fields`` from the caller, in ``FIELD_ORDER``."""
    manifest = {"schema": SCHEMA, "mode": mode, "model_class": model_class,
                "parameter_count": sum(p.numel() for p in params), "parameter_tensors": len(params),
                "world_size": world_size, "backend": str(dist.get_backend(group)) if world_size > 1 else None,
                "torch_version": torch.__version__, "numpy_version": np.__version__,
                "noisescope_torch_version": __version__}
    manifest.update(fields)
    unknown = [k for k in manifest if k not in FIELD_ORDER]
    if unknown:
        raise ValueError(f"noisescope_torch: manifest fields {unknown} are not in FIELD_ORDER (SCHEMA.md)")
    ordered = {k: manifest[k] for k in FIELD_ORDER if k in manifest}
    write_json_atomic(os.path.join(log_dir, MANIFEST), ordered, fsync)
    return ordered


def file_names(world_size: int, steps: bool, by_group: bool, per_example: bool = False) -> Dict[str, Any]:
    """The manifest's ``files``."""
    files: Dict[str, Any] = {"steps": STEPS if steps else None, "noise_norms": MERGED,
                             "rank_noise_norms": [rank_file(r) for r in range(world_size)]}
    if steps:                       # train mode
        files["noise_norms_by_group"] = BY_GROUP if by_group else None
    if per_example:
        files["noise_per_example"], files["noise_per_example_steps"] = EXAMPLES, EXAMPLE_STEPS
    return files


def train_batch_sizes(mode: str, batch_size: Optional[int], seen_batch: Optional[int], micro_batches: int,
                      world_size: int) -> Tuple[Optional[int], Optional[int]]:
    """Manifest B_small and B_big of a training log: per rank and W times that
    (several ranks, and one process with a reference: B and B); micro-batch
    b = B // m and batch B (one process, micro-batches; B as given, else the
    first recorded batch's length)."""
    if mode == "micro":           # per-example noise cuts a batch below m into min(m, B) sub-batches
        batch = batch_size if batch_size is not None else seen_batch
        return (None, None) if batch is None else (batch // min(micro_batches, batch), batch)
    return batch_size, None if batch_size is None else batch_size * world_size


class TrainFiles:
    """The files of one NoiseRecorder rank besides the manifest: its noise
    norms (``own``, noise_norms.rank{r}.npy); on rank 0 also steps.jsonl (a line
    per record, at once), the merged sample (``merged``, noise_norms.npy; with
    W = 1 the same as ``own``), the per-group rows (noise_norms_by_group.npy)
    and, with ``per_example``, every example's noise norm and its step
    (noise_per_example.npy, noise_per_example_steps.npy). The NPY files are
    rewritten together (``write_npys_atomic``) when ``flush_seconds`` have
    passed since their last rewrite, and at :meth:`flush`."""

    def __init__(self, log_dir: str, rank: int, world_size: int, layers: Optional[LayerStats], fsync: bool,
                 flush_seconds: float, per_example: bool = False):
        self.log_dir, self.rank, self.world_size, self.layers = log_dir, rank, world_size, layers
        self.fsync, self.flush_seconds = fsync, max(0.0, float(flush_seconds))
        self.per_example = per_example
        self.own: List[float] = []
        self.merged: List[float] = []
        self.examples: List[float] = []
        self.example_steps: List[float] = []
        self.records = 0
        self._unflushed = 0
        self._last_flush = float("-inf")
        self._steps = JsonlAppender(os.path.join(log_dir, STEPS), fsync=fsync) if rank == 0 else None

    def add(self, record: Dict[str, Any], own: List[float], merged: List[float],
            examples: Optional[Union[Sequence[float], np.ndarray]] = None) -> None:
        """One completed record: its line (rank 0), its noise norms and (rank 0)
        the per-example norms of its step."""
        self.own.extend(own)
        if self.rank == 0 and self.world_size > 1:
            self.merged.extend(merged)
        if self.rank == 0 and examples is not None:
            self.examples.extend(float(v) for v in examples)
            self.example_steps.extend([float(record["step"])] * len(examples))
        self.records += 1
        if self._steps is not None:
            self._steps.write(record)
        self._unflushed += 1
        if time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        own_path = os.path.join(self.log_dir, rank_file(self.rank))
        if self._unflushed == 0 and os.path.exists(own_path):
            return

        def path(name: str) -> str:
            return os.path.join(self.log_dir, name)

        followers: List[Tuple[str, Any]] = []
        leaders: List[Tuple[str, Any]] = [(own_path, self.own)]
        if self.rank == 0:
            leaders.append((path(MERGED), self.merged if self.world_size > 1 else self.own))
            if self.layers is not None:
                followers.append((path(BY_GROUP), self.layers.as_array()))
            if self.per_example:
                followers.append((path(EXAMPLE_STEPS), self.example_steps))
                leaders.append((path(EXAMPLES), self.examples))
        write_npys_atomic(followers + leaders, self.fsync)
        self._unflushed = 0

    def close(self) -> None:
        if self._steps is not None:
            self._steps.close()


def prepare_log_dir(log_dir: Optional[str], rank: int, world_size: int, group: Optional[dist.ProcessGroup],
                    same: Dict[str, int], what: str, overwrite: bool) -> None:
    """Before a writer's first collective on gradients: creates ``log_dir``;
    with several ranks checks that the integer fields ``same`` agree on every
    rank (one clear error on every rank instead of a hang; rank 0 tells the
    others whether the directory already holds a log); refuses a directory
    that holds a log (its manifest.json) unless ``overwrite``, and then removes
    this rank's files of the earlier log. A directory that cannot be created
    or written is refused in one line on every rank. ``log_dir`` None: only the check."""
    conflict, unwritable = 0, None
    if log_dir is not None:
        try:
            os.makedirs(log_dir, exist_ok=True)
            with tempfile.TemporaryFile(dir=log_dir):
                pass
        except OSError as error:
            unwritable = error.strerror or type(error).__name__
        conflict = int(rank == 0 and unwritable is None and os.path.exists(os.path.join(log_dir, MANIFEST)))
    failed = int(unwritable is not None)
    if world_size > 1:
        rows = check_same_across_ranks(same, group, what, extra={"log dir in use": conflict, "unwritable": failed})
        conflict, failed = int(rows[0, -2]), int(rows[:, -1].max())
    if failed:
        raise PermissionError(f"noisescope_torch: cannot write the log directory {log_dir} "
                              f"({unwritable or 'on another rank'}); choose a log_dir this process can write")
    if conflict and not overwrite:
        raise FileExistsError(f"noisescope_torch: {log_dir} already holds a noise log ({MANIFEST}); "
                              f"choose another log_dir or pass overwrite=True")
    if overwrite and log_dir is not None:
        remove_old_files(log_dir, rank, world_size)


def remove_old_files(log_dir: str, rank: int, world_size: int) -> None:
    """Removes this rank's files of an earlier log (rank 0: also the shared ones and ranks >= world_size)."""
    names = [rank_file(rank)]
    if rank == 0:
        names += [MANIFEST, STEPS, MERGED, BY_GROUP, EXAMPLES, EXAMPLE_STEPS]
        for name in os.listdir(log_dir):
            if name.startswith(RANK_PREFIX) and name.endswith(RANK_SUFFIX):
                try:
                    r = int(name[len(RANK_PREFIX):-len(RANK_SUFFIX)])
                except ValueError:
                    continue
                if r >= world_size:
                    names.append(name)
    for name in names:
        try:
            os.remove(os.path.join(log_dir, name))
        except FileNotFoundError:
            pass
