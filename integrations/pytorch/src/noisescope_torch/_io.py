"""Log files of schema ``noisescope-log/1`` (see SCHEMA.md): writers that keep
every file valid after every write, and the strict reader.

- NPY and JSON files are written to a temporary name in the same directory and
  renamed over the target (``os.replace`` is atomic on POSIX), so a reader (or
  a run killed at any instant) sees either the old or the new complete file.
- ``steps.jsonl`` is appended one line per ``os.write`` on an ``O_APPEND``
  descriptor, so a killed process leaves only whole lines.
"""

from __future__ import annotations

import datetime as _datetime
import json
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

import numpy as np

from ._records import merge_rank_norms

SCHEMA = "noisescope-log/1"

# The files of a log directory, named once for the writers and the reader here;
# schemas/noisescope-log.files.json states the same names for the Swift side too
# (tests/test_log_files.py holds these constants to it).
MANIFEST = "manifest.json"
STEPS = "steps.jsonl"
MERGED = "noise_norms.npy"
BY_GROUP = "noise_norms_by_group.npy"
EXAMPLES = "noise_per_example.npy"
EXAMPLE_STEPS = "noise_per_example_steps.npy"
RANK_PREFIX, RANK_SUFFIX = "noise_norms.rank", ".npy"      # rank r's own noise norms: noise_norms.rank{r}.npy


def rank_file(rank: int) -> str:
    return f"{RANK_PREFIX}{rank}{RANK_SUFFIX}"


_RANK_FILE = re.compile("^" + re.escape(RANK_PREFIX) + r"(\d+)" + re.escape(RANK_SUFFIX) + "$")


class SchemaError(ValueError):
    """A log directory (or file) that is not valid ``noisescope-log/1``."""


def utc_now() -> str:
    return _datetime.datetime.now(_datetime.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def finite_or_none(x: Any) -> Any:
    """JSON has no NaN/Infinity: non-finite floats are written as null."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.floating,)):
        obj = float(obj)
    if isinstance(obj, (np.integer,)):
        obj = int(obj)
    return finite_or_none(obj)


def _tmp_name(path: str) -> str:
    # Not ending in .npy/.json, so a leftover after a kill is never taken for a log file.
    return f"{path}.tmp.{os.getpid()}"


def _write(tmp: str, data: bytes, fsync: bool) -> None:
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _replace(tmp: str, path: str, data: bytes, fsync: bool) -> None:
    _write(tmp, data, fsync)
    os.replace(tmp, path)


def npy_bytes(values: Iterable[float]) -> bytes:
    """A 1-D little-endian float64 NPY (format 1.0, header padded to 64 bytes)."""
    import io

    array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype="<f8")
    array = np.ascontiguousarray(array if array.ndim == 2 else array.reshape(-1))     # 2-D: by-group norms
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def write_npy_atomic(path: str, values: Iterable[float], fsync: bool = False) -> None:
    _replace(_tmp_name(path), path, npy_bytes(values), fsync)


def write_npys_atomic(items: List[Tuple[str, Iterable[float]]], fsync: bool = False) -> None:
    """Several NPY files written as one update: every temporary file is
    written first, then they are renamed in the order given, back to back.
    POSIX renames one path at a time, so callers put the files that *follow*
    another (noise_norms_by_group.npy, noise_per_example_steps.npy) before
    the file they follow: a kill between two renames leaves a follower at
    most one update ahead, never behind, and readers cut it to its leader's
    length (SCHEMA.md "Validity at every instant")."""
    staged = [(_tmp_name(path), path) for path, _ in items]
    for (tmp, _), (_, values) in zip(staged, items):
        _write(tmp, npy_bytes(values), fsync)
    for tmp, path in staged:
        os.replace(tmp, path)


def write_json_atomic(path: str, obj: Any, fsync: bool = False) -> None:
    text = json.dumps(_clean(obj), indent=2, allow_nan=False) + "\n"
    _replace(_tmp_name(path), path, text.encode("utf-8"), fsync)


def _json_line(record: Dict[str, Any]) -> str:
    """One compact JSON line, non-finite numbers as null. The direct encoding
    is kept when it holds no NaN or Infinity token (every record but an odd
    one); otherwise, or for numpy scalars, the record is cleaned first (about
    a third of a millisecond per record saved on a recording step)."""
    try:
        text = json.dumps(record, separators=(",", ":"))
    except TypeError:
        text = None
    if text is None or "NaN" in text or "Infinity" in text:
        text = json.dumps(_clean(record), allow_nan=False, separators=(",", ":"))
    return text


class JsonlAppender:
    """Appends one JSON object per line; each line is one write(2) on O_APPEND."""

    def __init__(self, path: str, fsync: bool = False):
        self.path = path
        self.fsync = fsync
        self._fd: Optional[int] = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def write(self, record: Dict[str, Any]) -> None:
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        line = (_json_line(record) + "\n").encode("utf-8")
        view = memoryview(line)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        if self.fsync:
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# ---------------------------------------------------------------- reading

_NPY_HEADER = re.compile(r"^\{'descr': '<f8', 'fortran_order': False, 'shape': \((\d+),\), \} *\n$")
_NPY_HEADER_2D = re.compile(r"^\{'descr': '<f8', 'fortran_order': False, 'shape': \((\d+), (\d+)\), \} *\n$")


def read_npy_strict(path: str, ndim: int = 1) -> np.ndarray:
    """Reads a schema NPY: format 1.0, header exactly
    ``{'descr': '<f8', 'fortran_order': False, 'shape': (n,), }`` padded with
    spaces and a newline to a multiple of 64 bytes, then exactly 8n data bytes.
    ``ndim=2`` (noise_norms_by_group.npy): shape ``(n, g)``, C order, 8ng bytes."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 10 or data[:6] != b"\x93NUMPY":
        raise SchemaError(f"{path}: not a NumPy .npy file (no \\x93NUMPY magic)")
    if data[6] != 1:
        raise SchemaError(f"{path}: NPY format version {data[6]}.{data[7]}; the schema uses 1.0")
    header_length = int.from_bytes(data[8:10], "little")
    start = 10 + header_length
    if start % 64 != 0 or len(data) < start:
        raise SchemaError(f"{path}: NPY header of {header_length} bytes is truncated or not padded to 64 bytes")
    header = data[10:start].decode("latin-1")
    match = (_NPY_HEADER if ndim == 1 else _NPY_HEADER_2D).match(header)
    if not match:
        raise SchemaError(f"{path}: NPY header {header.strip()!r} is not a {ndim}-D little-endian float64 array")
    shape = tuple(int(v) for v in match.groups())
    count = int(np.prod(shape))
    if len(data) - start != 8 * count:
        raise SchemaError(f"{path}: header promises {count} float64 values, the file holds {len(data) - start} data bytes")
    return np.frombuffer(data, dtype="<f8", offset=start, count=count).astype(np.float64).reshape(shape)


@dataclass
class NoiseLog:
    """A log directory read by :func:`read_log`."""

    directory: str
    manifest: Dict[str, Any]
    steps: List[Dict[str, Any]] = field(default_factory=list)
    merged: Optional[np.ndarray] = None
    per_rank: Dict[int, np.ndarray] = field(default_factory=dict)
    by_group: Optional[np.ndarray] = None       # noise_norms_by_group.npy, columns manifest["groups"]
    per_example: Optional[np.ndarray] = None    # noise_per_example.npy: one noise norm per example
    per_example_steps: Optional[np.ndarray] = None   # noise_per_example_steps.npy: the step of each

    @property
    def groups(self) -> List[str]:
        """Per-layer group names (empty for logs without per-layer recording)."""
        return list(self.manifest.get("groups") or [])

    @property
    def wall_seconds(self) -> Optional[float]:
        """Measure mode: the measurement's wall time (``wall_seconds``, which
        :func:`read_log` takes from ``seconds`` in older logs); None while
        running and in train mode."""
        value = self.manifest.get("wall_seconds")
        return None if value is None else float(value)

    @property
    def complete(self) -> bool:
        return bool(self.manifest.get("complete"))

    @property
    def noise_norms(self) -> np.ndarray:
        """The merged noise norms: noise_norms.npy when present, else merged from
        the per-rank files by the writers' rule (:func:`merge_rank_norms`)."""
        if self.merged is not None:
            return self.merged
        if not self.per_rank:
            return np.zeros(0)
        world = int(self.manifest.get("world_size") or len(self.per_rank))
        ranks = [self.per_rank[r] for r in sorted(self.per_rank)]
        try:
            return merge_rank_norms(world, self.manifest.get("mode") or "train", ranks)
        except ValueError as error:
            raise SchemaError(f"{self.directory}: no {MERGED}, and the rank files cannot be merged ({error})") from None

    def column(self, name: str) -> np.ndarray:
        """One scalar field of steps.jsonl as float64 (null -> NaN)."""
        return np.array([np.nan if s.get(name) is None else float(s[name]) for s in self.steps], dtype=np.float64)


def read_log(log_dir: str) -> NoiseLog:
    """Reads and validates a ``noisescope-log/1`` directory; raises
    :class:`SchemaError` with one message naming the file and the problem."""
    path = os.path.join(log_dir, MANIFEST)
    if not os.path.isfile(path):
        raise SchemaError(f"{log_dir}: no {MANIFEST}; not a noisescope log directory")
    try:
        with open(path, "r", encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as error:
        raise SchemaError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict):
        raise SchemaError(f"{path}: the manifest must be a JSON object")
    schema = manifest.get("schema")
    if schema != SCHEMA:
        raise SchemaError(f"{path}: log schema is {schema!r}, but this noisescope_torch reads only {SCHEMA!r}; "
                          f"read it with a matching noisescope_torch version or record it again")
    if manifest.get("mode") == "measure" and "wall_seconds" not in manifest and "seconds" in manifest:
        manifest["wall_seconds"] = manifest["seconds"]      # its name in older logs (SCHEMA.md, Versioning)
    log = NoiseLog(directory=log_dir, manifest=manifest)
    steps_path = os.path.join(log_dir, STEPS)
    if os.path.isfile(steps_path):
        with open(steps_path, "r", encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line, parse_constant=_refuse_constant)
                except ValueError as error:
                    raise SchemaError(f"{steps_path} line {number}: not valid JSON ({error})") from None
                if not isinstance(record, dict):
                    raise SchemaError(f"{steps_path} line {number}: not a JSON object")
                log.steps.append(record)
    merged = os.path.join(log_dir, MERGED)
    if os.path.isfile(merged):
        log.merged = read_npy_strict(merged)
    by_group = os.path.join(log_dir, BY_GROUP)
    if os.path.isfile(by_group):
        log.by_group = read_npy_strict(by_group, ndim=2)
        if log.by_group.shape[1] != len(log.groups):
            raise SchemaError(f"{by_group}: {log.by_group.shape[1]} columns, but the manifest names "
                              f"{len(log.groups)} groups")
        if log.merged is not None:          # a killed run: the follower may be one update ahead
            log.by_group = log.by_group[:len(log.merged)]
    examples, example_steps = os.path.join(log_dir, EXAMPLES), os.path.join(log_dir, EXAMPLE_STEPS)
    if os.path.isfile(examples):
        log.per_example = read_npy_strict(examples)
        if os.path.isfile(example_steps):
            log.per_example_steps = read_npy_strict(example_steps)
            if len(log.per_example_steps) < len(log.per_example):
                raise SchemaError(f"{example_steps}: {len(log.per_example_steps)} steps for "
                                  f"{len(log.per_example)} samples in {EXAMPLES}")
            log.per_example_steps = log.per_example_steps[:len(log.per_example)]
    for name in sorted(os.listdir(log_dir)):
        match = _RANK_FILE.match(name)
        if match:
            log.per_rank[int(match.group(1))] = read_npy_strict(os.path.join(log_dir, name))
    return log


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
