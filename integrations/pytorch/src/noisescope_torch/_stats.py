"""The per-tensor statistics of a recording step's per-example shares
(``StepStats``), from materialised shares or from ghost factors, and the ghost
algebra itself: Gram matrices and dots of shares that are never formed
(``_rules.Ghost``).

Only these parts of the Gram matrix K_ij = <c_i, c_j> of a tensor's shares are
needed (``_per_example.py``): its diagonal, row sums, total and the sums over
the sub-batches' diagonal blocks; from materialised shares (N x numel) they
take a few passes over the shares, no N x N product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

from ._rules import Ghost

# A tensor's (diag, rowsum, total, blocks), as ``one_tensor`` gives them.
TensorStats = Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


@dataclass
class StepStats:
    """One recording step, per parameter tensor t (rows, float64), over the N
    examples of all segments (``sizes``), c_i example i's share: ``diag`` (T, N)
    |c_i|^2, ``rowsum`` (T, N) <c_i, sum_j c_j>, ``total`` (T,) |sum_i c_i|^2,
    ``blocks`` (T, k) |sum_{i in S_j} c_i|^2 for the first k sub-batches S_j of
    b consecutive examples, and, when vectors were given, ``dots`` (T, N)
    <c_i, v_t>. Everything the noise needs, without N x N matrices per tensor."""
    sizes: List[int]
    diag: torch.Tensor
    rowsum: torch.Tensor
    total: torch.Tensor
    blocks: torch.Tensor
    b: int
    dots: Optional[torch.Tensor]

    @classmethod
    def empty(cls, sizes: List[int], tensors: int, k: int, b: int, dots: bool,
              device: torch.device) -> "StepStats":
        n = sum(sizes)

        def zeros(*shape: int) -> torch.Tensor:
            return torch.zeros(*shape, dtype=torch.float64, device=device)

        return cls(sizes, zeros(tensors, n), zeros(tensors, n), zeros(tensors), zeros(tensors, k), b,
                   zeros(tensors, n) if dots else None)

    def add_grams(self, tensors: List[int], grams: torch.Tensor) -> None:
        """``tensors`` from their Gram matrices (ghost factors; len(tensors) x N x N), all at once."""
        k, b = self.blocks.shape[1], self.b
        self.diag[tensors] = grams.diagonal(dim1=1, dim2=2)
        self.rowsum[tensors], self.total[tensors] = grams.sum(dim=2), grams.sum(dim=(1, 2))
        self.blocks[tensors] = grams[:, :k * b, :k * b].reshape(-1, k, b, k, b).sum(dim=(2, 4)).diagonal(dim1=1, dim2=2)

    def set_one(self, t: int, values: TensorStats) -> None:
        """Tensor t's (diag, rowsum, total, blocks), as ``one_tensor`` gives them."""
        self.diag[t], self.rowsum[t], self.total[t], self.blocks[t] = values

    def add_shares(self, tensors: List[int], g: torch.Tensor, widths: List[int],
                   vectors: Optional[torch.Tensor] = None) -> None:
        """``tensors`` from their materialised shares side by side (N x sum of
        ``widths``; ``vectors`` the same tensors' vectors, flat): a few passes
        over the shares, no N x N product. Several small tensors go together,
        their sums split by column (one set of operations for all)."""
        k, b = self.blocks.shape[1], self.b
        if len(tensors) == 1:                  # fused reductions, no N x numel temporaries
            self.set_one(tensors[0], one_tensor(g, k, b))
            if vectors is not None and self.dots is not None:       # dots exist when vectors were given (empty)
                self.dots[tensors[0]] = (g @ vectors.to(g.dtype)).double()
            return
        part = g[:k * b].reshape(k, b, -1).sum(dim=1)
        whole = part.sum(dim=0) if k * b == g.shape[0] else g.sum(dim=0)      # one pass fewer when they tile
        column = torch.repeat_interleave(torch.arange(len(tensors), device=g.device),
                                         torch.tensor(widths, device=g.device))
        member = torch.nn.functional.one_hot(column, len(tensors)).to(g.dtype)    # column -> tensor, summed by a product

        def per(x: torch.Tensor) -> torch.Tensor:
            return x @ member

        self.diag[tensors] = per(g * g).T.double()
        self.rowsum[tensors] = per(g * whole).T.double()
        self.total[tensors] = per(whole * whole).double()
        self.blocks[tensors] = per(part * part).T.double()
        if vectors is not None and self.dots is not None:
            self.dots[tensors] = per(g * vectors.to(g.dtype)).T.double()


SMALL = 1024       # materialised tensors at most this wide have their statistics computed together


def one_tensor(g: torch.Tensor, k: int, b: int) -> TensorStats:
    """(diag, rowsum, total, blocks) of one tensor's materialised shares g
    (N x numel; float64 results), k sub-batches of b consecutive examples:
    three passes over g (the sub-batch sums, which give the total when they
    tile the batch; the row norms; the products with the total)."""
    part = g[:k * b].reshape(k, b, -1).sum(dim=1)
    whole = part.sum(dim=0) if k * b == g.shape[0] else g.sum(dim=0)      # one pass fewer when they tile
    return (torch.linalg.vector_norm(g, dim=1).double().square(), (g @ whole).double(),
            whole.double().square().sum(), torch.linalg.vector_norm(part, dim=1).double().square())


def _rows_per_chunk(n: int, t: int) -> int:
    return max(1, (1 << 22) // max(1, t * n * t))


def ghost_gram(g: Ghost) -> torch.Tensor:
    """<c_i, c_j> for all pairs, never forming c_i (chunked over examples)."""
    n, t = g.d.shape[:2]
    d2 = g.d.reshape(n * t, -1)
    if g.kind != "embedding" and t == 1:
        a2 = g.a.reshape(n, -1)
        return ((a2 @ a2.T) * (d2 @ d2.T)).double()
    other = g.a.reshape(n * t) if g.kind == "embedding" else g.a.reshape(n * t, -1)
    out = torch.empty(n, n, dtype=torch.float64, device=d2.device)
    step = _rows_per_chunk(n, t)
    for i0 in range(0, n, step):
        i1 = min(n, i0 + step)
        rows = slice(i0 * t, i1 * t)
        dd = d2[rows] @ d2.T
        if g.kind == "embedding":
            dd = dd * (other[rows, None] == other[None, :]).to(dd.dtype)
        else:
            dd = dd * (other[rows] @ other.T)
        out[i0:i1] = dd.view(i1 - i0, t, n, t).sum(dim=(1, 3)).double()
    return out


def ghost_dot(g: Ghost, v: torch.Tensor) -> torch.Tensor:
    """<c_i, v> for every example, v the parameter-shaped vector (flat)."""
    width = g.d.shape[-1]
    v = v.to(g.d.dtype)
    if g.kind == "embedding":
        return (v.reshape(-1, width)[g.a] * g.d).sum(dim=(1, 2)).double()
    if g.kind == "linear":
        return ((g.a @ v.reshape(width, -1).T) * g.d).sum(dim=(1, 2)).double()
    return ((g.a @ v.reshape(-1, width)) * g.d).sum(dim=(1, 2)).double()


def stack_ghosts(parts: Dict[int, List[Ghost]], segments: Sequence[int], sizes: Dict[int, int]) -> Ghost:
    """One Ghost over all examples: calls of a segment side by side along the
    token axis, segments stacked along the batch (zero-padded tokens add nothing)."""
    first = next(p for ps in parts.values() for p in ps)
    if len(segments) == 1 and len(parts.get(segments[0], ())) == 1:
        return first                          # one call in one segment: nothing to stack
    rows = []
    for s in segments:
        calls = parts.get(s)
        if calls:
            rows.append((torch.cat([c.a for c in calls], 1), torch.cat([c.d for c in calls], 1)))
        else:
            a_shape = (sizes[s], 1) + tuple(first.a.shape[2:])
            rows.append((first.a.new_zeros(a_shape), first.d.new_zeros((sizes[s], 1, first.d.shape[-1]))))
    longest = max(a.shape[1] for a, _ in rows)

    def pad(x: torch.Tensor) -> torch.Tensor:
        extra = longest - x.shape[1]
        return x if extra == 0 else F.pad(x, (0, 0) * (x.dim() - 2) + (0, extra))

    return Ghost(torch.cat([pad(a) for a, _ in rows]), torch.cat([pad(d) for _, d in rows]), first.kind)
