"""Per-tensor and per-group noise statistics of NoiseRecorder
(docs/extensions.md "Per-layer noise", SCHEMA.md "Per-layer fields").

Each trainable parameter tensor t belongs to exactly one group, so squared
norms add up: sum_t |v_t|^2 = |v|^2 for every recorded vector v (a noise
vector g_j - g, a local gradient g_j, the reference gradient g).

Default groups (``group_rule`` "default"), first match wins, on the
parameter's full name ``a.b.c.weight`` and the modules along that path:

1. ``embeddings``: the owning module is an ``nn.Embedding``/``nn.EmbeddingBag``,
   or a path component contains "embed", or is "wte"/"wpe".
2. ``norms``: the owning module's class name contains "Norm" (LayerNorm,
   RMSNorm, BatchNorm*, GroupNorm, ...), or its name component starts with
   "ln" or contains "norm".
3. ``head``: a path component is "head", "lm_head", "classifier", "score" or "fc_out".
4. ``attention``: a module on the path is an ``nn.MultiheadAttention`` or has
   "Attention"/"Attn" in its class name, or a path component contains "attn"
   or "attention".
5. ``mlp``: a path component contains "mlp", "ffn", "feed_forward",
   "feedforward", "intermediate", or is "fc1"/"fc2"/"c_fc".
6. ``other``: everything else (convolutions of a ResNet, ...).

Tied weights are one parameter (``named_parameters`` lists it once, under its
first name: a tied embedding/output matrix counts as ``embeddings``). Empty
groups are left out; the order is the order above. ``groups={name: [entries]}``
replaces the rule: an entry matches a parameter whose name equals it or starts
with it followed by "." (a module prefix); a parameter matched by no entry goes
to ``other``, one matched by two groups is refused.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .estimates import safe_ratio, two_batch_estimates

ORDER = ("embeddings", "attention", "mlp", "norms", "head", "other")
_HEADS = {"head", "lm_head", "classifier", "score", "fc_out"}
_MLP = ("mlp", "ffn", "feed_forward", "feedforward", "intermediate")


def _default_group(name: str, modules: Sequence[torch.nn.Module]) -> str:
    parts = [p.lower() for p in name.split(".")[:-1]]
    owner = modules[-1] if modules else None
    classes = [type(m).__name__ for m in modules]
    if isinstance(owner, (torch.nn.Embedding, torch.nn.EmbeddingBag)) or \
            any("embed" in p or p in ("wte", "wpe") for p in parts):
        return "embeddings"
    last = parts[-1] if parts else ""
    if owner is not None and "Norm" in type(owner).__name__ or last.startswith("ln") or "norm" in last:
        return "norms"
    if any(p in _HEADS for p in parts):
        return "head"
    if any(isinstance(m, torch.nn.MultiheadAttention) for m in modules) or \
            any("Attention" in c or "Attn" in c for c in classes) or any("attn" in p or "attention" in p for p in parts):
        return "attention"
    if any(any(k in p for k in _MLP) or p in ("fc1", "fc2", "c_fc") for p in parts):
        return "mlp"
    return "other"


def assign_groups(module: torch.nn.Module, names: Sequence[str],
                  groups: Optional[Dict[str, Sequence[str]]] = None) -> Tuple[List[str], List[int]]:
    """(group names, group index of each parameter name)."""
    if groups is None:
        found: List[str] = []
        for name in names:
            modules: List[torch.nn.Module] = []
            m: object = module
            for part in name.split(".")[:-1]:
                m = getattr(m, part, None) if m is not None else None
                if isinstance(m, torch.nn.Module):
                    modules.append(m)
            found.append(_default_group(name, modules))
        order = [g for g in ORDER if g in found]
        return order, [order.index(label) for label in found]
    if not isinstance(groups, dict) or not groups:
        raise ValueError("noisescope_torch: groups= must be a non-empty dict {group name: [parameter names or "
                         "module prefixes]}")
    labels: List[Optional[str]] = [None] * len(names)
    for group, entries in groups.items():
        if isinstance(entries, str):
            entries = [entries]
        for entry in entries:
            hits = [i for i, n in enumerate(names) if n == entry or n.startswith(entry + ".")]
            if not hits:
                raise ValueError(f"noisescope_torch: groups[{group!r}] entry {entry!r} matches no trainable "
                                 f"parameter (names look like {names[0]!r})")
            for i in hits:
                if labels[i] is not None and labels[i] != group:
                    raise ValueError(f"noisescope_torch: parameter {names[i]!r} is in groups {labels[i]!r} and "
                                     f"{group!r}; each parameter belongs to one group")
                labels[i] = group
    order = list(groups) + (["other"] if any(label is None for label in labels) and "other" not in groups else [])
    return order, [order.index(label if label is not None else "other") for label in labels]


def tensor_sq(vector: torch.Tensor, sizes: Sequence[int]) -> torch.Tensor:
    """Per-tensor squared norms of a flat vector laid out in ``sizes`` order."""
    return torch.stack([part.dot(part) for part in torch.split(vector, list(sizes))])


class LayerStats:
    """The per-tensor part of the rows, the per-group fields of a record, and
    the rows of noise_norms_by_group.npy."""

    def __init__(self, module: torch.nn.Module, names: Sequence[str], params: Sequence[torch.Tensor],
                 groups: Optional[Dict[str, Sequence[str]]], ema_decay: float):
        self.names = list(names)
        self.sizes = [p.numel() for p in params]
        self.rule = "default" if groups is None else "user"
        self.groups, self.tensor_group = assign_groups(module, self.names, groups)
        self.count = len(self.names)
        self.index = {id(p): i for i, p in enumerate(params)}
        self.matrix = np.zeros((len(self.groups), self.count))          # group x tensor membership
        self.matrix[self.tensor_group, np.arange(self.count)] = 1.0
        self.beta = float(ema_decay)
        self._ema = np.zeros((2, self.count))          # |G|^2, tr(Sigma) per tensor
        self._ema_groups = np.zeros((2, len(self.groups)))
        self._ema_n = 0
        self.merged: List[List[float]] = []            # rows of noise_norms_by_group.npy

    def manifest_fields(self) -> Dict[str, Any]:
        return {"groups": self.groups, "group_rule": self.rule,
                "tensors": [{"name": n, "numel": s, "group": g}
                            for n, s, g in zip(self.names, self.sizes, self.tensor_group)]}

    def add_fields(self, record: Dict[str, Any], rows: List[List[float]], merged_count: int) -> None:
        """Adds the per-group and per-tensor fields to ``record``; appends the
        merged sample's group norms (the same rows as noise_norms.npy)."""
        t = self.count
        per = np.asarray([r[6:6 + 3 * t] for r in rows], dtype=np.float64).reshape(len(rows), 3, t)
        if per.shape[0] == 0 or per.shape[2] != t:
            return
        noise_t, local_t, mean_t = per[:, 0], per[:, 1], per[:, 2]          # rows x tensors
        noise_g = noise_t @ self.matrix.T                                  # rows x groups
        norms_g = np.sqrt(noise_g)
        record["noise_norms_by_group"] = norms_g.tolist()
        finite = [i for i, r in enumerate(rows) if math.isfinite(r[1])]
        self.merged.extend(norms_g[finite[:merged_count]].tolist())
        small_t, big_t = local_t.mean(axis=0), mean_t[0]
        record["noise_sq_by_tensor"] = noise_t.mean(axis=0).tolist()
        record["g_small_sq_by_tensor"] = small_t.tolist()
        record["g_big_sq_by_tensor"] = big_t.tolist()
        small_g, big_g = self.matrix @ small_t, self.matrix @ big_t
        record["g_small_sq_by_group"] = small_g.tolist()
        record["g_big_sq_by_group"] = big_g.tolist()
        b_small, b_big = record.get("b_small"), record.get("b_big")
        if record.get("g_sq_est") is not None and b_small and b_big and b_big > b_small:
            g_sq_t, trace_t = two_batch_estimates(small_t, big_t, b_small, b_big)
            g_sq_g, trace_g = self.matrix @ g_sq_t, self.matrix @ trace_t
            if np.all(np.isfinite(g_sq_t)) and np.all(np.isfinite(trace_t)):
                self._ema = self.beta * self._ema + (1 - self.beta) * np.stack([g_sq_t, trace_t])
                self._ema_groups = self.beta * self._ema_groups + (1 - self.beta) * np.stack([g_sq_g, trace_g])
                self._ema_n += 1
            record["g_sq_est_by_group"] = g_sq_g.tolist()
            record["trace_sigma_est_by_group"] = trace_g.tolist()
            record["b_simple_by_group"] = [safe_ratio(a, b) for a, b in zip(trace_g, g_sq_g)]
        else:
            record["g_sq_est_by_group"] = None
            record["trace_sigma_est_by_group"] = None
            record["b_simple_by_group"] = None
        ema_g, ema_t = self._ema_groups, self._ema        # bias correction cancels in the ratio
        have = self._ema_n > 0
        record["b_simple_ema_by_group"] = [safe_ratio(a, b) for a, b in zip(ema_g[1], ema_g[0])] if have else None
        record["b_simple_ema_by_tensor"] = [safe_ratio(a, b) for a, b in zip(ema_t[1], ema_t[0])] if have else None

    def as_array(self) -> np.ndarray:
        return np.asarray(self.merged, dtype=np.float64).reshape(len(self.merged), len(self.groups))
