"""The files of a NoiseRecorder log besides the records: manifest.json, and the
removal of an earlier log (``overwrite=True``)."""

from __future__ import annotations

import os
from typing import Optional, Tuple

import numpy as np
import torch
import torch.distributed as dist

from . import __version__
from ._io import BY_GROUP, MANIFEST, MERGED, SCHEMA, STEPS, rank_file, utc_now, write_json_atomic


def batch_sizes(rec) -> Tuple[Optional[int], Optional[int]]:
    """Manifest B_small and B_big: per rank and W times that (several ranks,
    and one process with a reference: B and B); micro-batch b = B // m and
    batch B (one process, micro-batches)."""
    if rec.mode == "micro":
        batch = rec.batch_size if rec.batch_size is not None else rec._seen_batch
        return (None, None) if batch is None else (batch // rec.micro_batches, batch)
    return rec.batch_size, None if rec.batch_size is None else rec.batch_size * rec.world_size


def write_manifest(rec, complete: bool, error: Optional[str] = None) -> None:
    """Writes manifest.json (rank 0) for a NoiseRecorder ``rec``."""
    b_small, b_big = batch_sizes(rec)
    micro = rec.mode == "micro"
    manifest = {
        "schema": SCHEMA,
        "mode": "train",
        "noise_reference": {"ddp": "mean-over-ranks", "allreduce": "mean-over-ranks",
                            "reference": "user-reference", "micro": "batch-gradient"}[rec.mode],
        "model_class": rec.model_class,
        "parameter_count": rec.parameter_count,
        "parameter_tensors": len(rec._params),
        "batch_size_small": b_small,
        "batch_size_big": b_big,
        "world_size": rec.world_size,
        "micro_batches": rec.micro_batches if micro else None,
        "micro_samples": rec.micro_samples if micro else None,
        "dataset_size": rec.dataset_size,
        "ddp": rec._ddp,
        "backend": str(dist.get_backend(rec.group)) if rec.world_size > 1 else None,
        "every": rec.every,
        "ema_decay": rec._ema.beta,
        "seed": rec.seed,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "noisescope_torch_version": __version__,
        "created": rec.created,
        "closed": utc_now() if (complete or error) else None,
        "complete": complete,
        "error": error,
        "records": rec._records if (complete or error) else None,
        "files": {"steps": STEPS, "noise_norms": MERGED,
                  "rank_noise_norms": [rank_file(r) for r in range(rec.world_size)],
                  "noise_norms_by_group": BY_GROUP if rec._layers is not None else None},
    }
    manifest.update(rec._layers.manifest_fields() if rec._layers is not None else {"groups": None})
    write_json_atomic(os.path.join(rec.log_dir, MANIFEST), manifest, rec.fsync)


def remove_old_files(log_dir: str, rank: int, world_size: int) -> None:
    """Removes this rank's files of an earlier log (rank 0: also the shared ones and ranks >= world_size)."""
    names = [rank_file(rank)]
    if rank == 0:
        names += [MANIFEST, STEPS, MERGED, BY_GROUP]
        for name in os.listdir(log_dir):
            if name.startswith("noise_norms.rank") and name.endswith(".npy"):
                try:
                    r = int(name[len("noise_norms.rank"):-len(".npy")])
                except ValueError:
                    continue
                if r >= world_size:
                    names.append(name)
    for name in names:
        try:
            os.remove(os.path.join(log_dir, name))
        except FileNotFoundError:
            pass
