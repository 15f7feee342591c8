"""The pure maths of the logs, testable without a process group: one
steps.jsonl record from the rows of a recording step, and the rank-merge rule
that makes noise_norms.npy from the ranks' noise_norms.rank{r}.npy.

A row is [valid, |g_j - g|^2, |g_j|^2, |g|^2, B_small, B_big] for one rank
(several ranks: g_j the rank's local gradient, g the mean over ranks) or for
one micro-batch (one process: g_j a micro-batch gradient, g the batch gradient);
B_big < 0 means W * B_small. A single process with a user reference has one
row with |g|^2 = NaN (no second batch size).
"""

from __future__ import annotations

import math
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

from .estimates import TwoBatchEMA, finite_population_g_sq, safe_ratio, two_batch_estimates


def make_record(s: int, number: int, rows: List[List[float]], rank: int, world_size: int, ema: TwoBatchEMA,
                dataset_size: Optional[int]) -> Tuple[Dict[str, Any], List[float], List[float]]:
    """Returns (record, this rank's new noise norms, the merged sample's new
    norms). The merged sample keeps every norm of the step, except that of two
    norms of the two halves of one batch (two ranks, or two micro-batches that
    make up the batch) it keeps the first: they are equal by construction,
    |g_1 - g| = |g_2 - g| = |g_1 - g_2| / 2."""
    norms = [math.sqrt(r[1]) if math.isfinite(r[1]) else None for r in rows]
    small = [r[4] for r in rows]
    b_small = small[0] if small[0] > 0 and len(set(small)) == 1 else None
    explicit_big = rows[0][5] > 0
    b_big: Optional[float]
    if b_small is None:
        b_big = None
    else:
        b_big = rows[0][5] if explicit_big else b_small * world_size
    valid = [n for n in norms if n is not None]
    if world_size > 1:      # the step's norms of the ranks that have one, merged by the one rule
        merged = merge_rank_norms(world_size, "train", [[n] for n in valid]).tolist()
    else:                   # two micro-batches that make up the batch are two halves, as two ranks
        halves = len(rows) == 2 and b_small is not None and b_big == 2 * b_small
        merged = valid[:1] if halves else valid
    if world_size > 1:
        mine = norms[rank]
        own = [mine] if mine is not None else []
    else:
        own = merged
    record: Dict[str, Any] = {"step": s, "record": number, "time": round(time.time(), 3), "world_size": world_size}
    record["noise_norm"] = sum(valid) / len(valid) if valid else None
    record["noise_norms"] = norms
    record["b_small"] = int(b_small) if b_small is not None else None
    record["b_big"] = int(b_big) if b_big is not None else None
    g_small_sq = sum(r[2] for r in rows) / len(rows)
    g_big_sq = rows[0][3] if math.isfinite(rows[0][3]) else None
    record["g_small_sq"] = g_small_sq
    record["g_big_sq"] = g_big_sq
    g_sq = trace = None
    if g_big_sq is not None and b_small is not None and b_big is not None and b_big > b_small:
        g_sq, trace = two_batch_estimates(g_small_sq, g_big_sq, b_small, b_big)
        ema.update(g_sq, trace)
    record["g_sq_est"] = g_sq
    record["trace_sigma_est"] = trace
    record["b_simple"] = safe_ratio(trace, g_sq)
    record["g_sq_est_ema"] = ema.g_sq
    record["trace_sigma_est_ema"] = ema.trace
    record["b_simple_ema"] = ema.b_simple
    if dataset_size is not None:
        fpc = finite_population_g_sq(g_sq, trace, dataset_size)
        fpc_ema = finite_population_g_sq(ema.g_sq, ema.trace, dataset_size)
        record["g_sq_est_fpc"] = fpc
        record["b_simple_fpc"] = safe_ratio(trace, fpc)
        record["g_sq_est_fpc_ema"] = fpc_ema
        record["b_simple_fpc_ema"] = safe_ratio(ema.trace, fpc_ema)
    return record, own, merged


def unequal_batches(rows: List[List[float]]) -> bool:
    small = [r[4] for r in rows]
    return len(set(small)) > 1


def rank_in_merged_sample(mode: str, world_size: int, rank: int) -> bool:
    """Whether rank ``rank``'s own noise norms (noise_norms.rank{r}.npy) belong
    to the merged sample (noise_norms.npy) of a log of this ``mode`` and
    ``world_size``: every rank's do, except in a two-rank train log, where
    rank 1's norm equals rank 0's at every step (g_0 - g = -(g_1 - g)) and
    only rank 0's count. The Swift reader has the same rule
    (``TorchLogRanks.contributes``); schemas/noisescope-log.files.json lists
    its cases, and both sides' tests run them."""
    return not (mode == "train" and world_size == 2 and rank != 0)


def merge_rank_norms(world_size: int, mode: str, rank_arrays: Sequence[npt.ArrayLike]) -> np.ndarray:
    """noise_norms.npy from the ranks' noise norms (``rank_arrays[r]``: the
    content of noise_norms.rank{r}.npy), SCHEMA.md "NPY files":

    - ``mode`` "train": step-major, rank-minor (the W norms of a recorded step,
      then those of the next step) over the ranks :func:`rank_in_merged_sample`
      keeps: with W = 2 only rank 0's norms, as the two ranks' norms of a step
      are equal by construction (g_0 - g = -(g_1 - g)); with one array (W = 1)
      that array. Ranks of unequal length (a killed run) are cut to the shortest.
    - ``mode`` "measure": minibatch order; minibatch j was measured by rank
      j mod W, so rank r's k-th norm is minibatch r + kW. Needs all W arrays;
      unequal lengths end the sample at the first missing minibatch.

    The writers use it (NoiseRecorder one step at a time, measure_noise once at
    the end) and so does :class:`NoiseLog` when noise_norms.npy is missing."""
    arrays = [np.asarray(a, dtype=np.float64).reshape(-1) for a in rank_arrays]
    if mode == "measure":
        if len(arrays) != world_size:
            raise ValueError(f"noisescope_torch: a measure log of world size {world_size} needs {world_size} "
                             f"rank arrays to merge, got {len(arrays)}")
        n = min((r + world_size * len(a) for r, a in enumerate(arrays)), default=0)
        merged = np.empty(n, dtype=np.float64)
        for r, a in enumerate(arrays):
            merged[r::world_size] = a[:len(range(r, n, world_size))]
        return merged
    if not arrays:
        return np.zeros(0, dtype=np.float64)
    kept = [a for r, a in enumerate(arrays) if rank_in_merged_sample("train", world_size, r)]   # not measure: as train
    if len(kept) == 1:
        return kept[0].copy()
    n = min(len(a) for a in kept)
    return np.stack([a[:n] for a in kept], axis=1).reshape(-1)
