"""Per-example gradient contributions of one module call (README "Per-example
noise"), from what the user's own backward already computes.

A call with input A and output Y receives D = dL/dY during the backward of the
batch loss L. Example i's share c_i of a parameter's gradient depends only on
example i's rows of A and D (the batch is dimension 0), so for these modules it
follows in closed form, without a second backward:

- ``nn.Linear`` (and Hugging Face's transposed ``Conv1D``), any extra sequence
  dimensions: weight c_i = sum_t D_i[t] A_i[t]^T, bias c_i = sum_t D_i[t]. Ghost
  form, never materialised: <c_i, c_j> = sum_{t,s} (A_i A_j^T)_{ts} (D_i D_j^T)_{ts}.
- ``nn.Conv1d``/``nn.Conv2d``: a Linear on the unfolded input (im2col), per group.
- ``nn.Embedding``: weight c_i = sum_t e_{tok_it} D_i[t]^T; ghost form
  <c_i, c_j> = sum_{t,s} [tok_it = tok_js] <D_i[t], D_j[s]>.
- ``nn.LayerNorm``/``nn.RMSNorm`` affine parameters: weight c_i = sum_t
  xhat_i[t] * D_i[t], bias sum_t D_i[t] (as many numbers as the parameter).
- any other module with trainable parameters (``nn.MultiheadAttention``, whose
  projections run inside one functional call, custom modules): ``torch.func``,
  vmap over the examples of grad of <module(x_i; theta), D_i> with respect to
  the module's own theta (its forward is recomputed, the backward is not rerun).

Each rule gives materialised contributions (n x numel per parameter) and, for
weights of the linear family and embeddings, the ghost factors; ``_capture.py``
picks the cheaper of the two per module. ``_plan.py`` gives each module of a
model its rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Generic, List, Optional, Sequence, Tuple, TypeVar, Union

import torch
import torch.nn.functional as F
from torch import nn

# The module type a rule reads its settings from (a Conv2d's kernel, an Embedding's padding_idx).
_M = TypeVar("_M", bound=nn.Module, covariant=True)


def compute_dtype(param: torch.Tensor) -> torch.dtype:
    """float64 for float64 parameters, else float32 (also under autocast)."""
    return torch.float64 if param.dtype == torch.float64 else torch.float32


@dataclass
class Ghost:
    """Ghost factors of one parameter's contributions: ``kind`` "linear"
    (c_i = sum_t D[i,t] A[i,t]^T in the parameter's (out, in) layout),
    "linear-t" (the transposed layout (in, out) of HF Conv1D) or "embedding"
    (``a`` the tokens, c_i = sum_t e_{a[i,t]} D[i,t]^T)."""
    a: torch.Tensor      # (n, T, d_in), or tokens (n, T)
    d: torch.Tensor      # (n, T, d_out)
    kind: str


class Rule(Generic[_M]):
    """How one module's trainable parameters (``roles``: attribute name ->
    parameter) get per-example contributions from a call's inputs and output gradients."""

    name = ""
    ghost_roles: Tuple[str, ...] = ()

    def __init__(self, module: _M, roles: Dict[str, nn.Parameter]):
        self.module, self.roles = module, roles
        self.dtype = compute_dtype(next(iter(roles.values())))

    def outputs(self, output: Any) -> List[torch.Tensor]:
        """The output tensors whose gradients the rule needs (hooked)."""
        return [output] if isinstance(output, torch.Tensor) and output.requires_grad else []

    def context(self, args: Tuple[Any, ...], kwargs: Dict[str, Any], output: Any) -> Any:
        """What the rule keeps of a call until its output gradients arrive."""
        return args[0].detach()

    def batch(self, ctx: Any) -> int:
        return int(ctx.shape[0])

    def materialise(self, ctx: Any, grads: List[torch.Tensor], roles: Sequence[str],
                    into: Optional[Dict[str, torch.Tensor]] = None) -> Dict[str, torch.Tensor]:
        """Each role's shares (n x numel). ``into``: shares already held for
        some roles (the capture's own buffers); a rule may add into them in
        place and return them (saves a buffer and a pass), or ignore them."""
        raise NotImplementedError

    def ghost(self, ctx: Any, grads: List[torch.Tensor]) -> Ghost:
        raise NotImplementedError

    def costs(self, ctx: Any, grads: List[torch.Tensor]) -> Tuple[float, float]:
        """(ghost, materialised) multiply-adds for the ghost role's Gram."""
        return float("inf"), 0.0


class LinearRule(Rule[nn.Module]):
    """nn.Linear; with ``transposed`` HF Conv1D (weight (in, out), y = x W + b)."""

    name = "linear"
    ghost_roles = ("weight",)

    def __init__(self, module: nn.Module, roles: Dict[str, nn.Parameter], transposed: bool = False):
        super().__init__(module, roles)
        self.transposed = transposed

    def _ad(self, ctx: torch.Tensor, grads: List[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        n = ctx.shape[0]
        a = ctx.reshape(n, -1, ctx.shape[-1]).to(self.dtype)
        d = grads[0].reshape(n, -1, grads[0].shape[-1]).to(self.dtype)
        return a, d

    def materialise(self, ctx: torch.Tensor, grads: List[torch.Tensor], roles: Sequence[str],
                    into: Optional[Dict[str, torch.Tensor]] = None) -> Dict[str, torch.Tensor]:
        a, d = self._ad(ctx, grads)
        out = {}
        if "weight" in roles:
            left, right = (a.transpose(1, 2), d) if self.transposed else (d.transpose(1, 2), a)
            held = (into or {}).get("weight")
            if held is not None and held.dtype == a.dtype and held.is_contiguous():      # tied or reused: accumulate
                held.view(a.shape[0], left.shape[1], right.shape[2]).baddbmm_(left, right)
                out["weight"] = held
            else:
                out["weight"] = torch.bmm(left, right).reshape(a.shape[0], -1)
        if "bias" in roles:
            out["bias"] = d.sum(1)
        return out

    def ghost(self, ctx: torch.Tensor, grads: List[torch.Tensor]) -> Ghost:
        a, d = self._ad(ctx, grads)
        return Ghost(a, d, "linear-t" if self.transposed else "linear")

    def costs(self, ctx: torch.Tensor, grads: List[torch.Tensor]) -> Tuple[float, float]:
        n, t, i = ctx.shape[0], ctx[0].numel() // ctx.shape[-1], ctx.shape[-1]
        o = grads[0].shape[-1]
        return float(n * n * t * t * (i + o + 1)), float(n * t * i * o + n * n * i * o)


class ConvRule(Rule[Union[nn.Conv1d, nn.Conv2d]]):
    """nn.Conv1d / nn.Conv2d as a Linear on the unfolded input, per group."""

    name = "conv"
    ghost_roles = ("weight",)

    def _unfold(self, x: torch.Tensor) -> torch.Tensor:
        """(n, L, C_in * prod(kernel)) patches, channel-major like the weight."""
        m = self.module
        one = isinstance(m, nn.Conv1d)
        kernel, dilation, stride = m.kernel_size, m.dilation, m.stride
        if m.padding_mode != "zeros":
            x, padding = F.pad(x, m._reversed_padding_repeated_twice, mode=m.padding_mode), (0,) * len(kernel)
        elif m.padding == "same":
            pads = []
            for k, dil in zip(reversed(kernel), reversed(dilation)):
                total = dil * (k - 1)
                pads += [total // 2, total - total // 2]
            x, padding = F.pad(x, pads), (0,) * len(kernel)
        elif isinstance(m.padding, str):     # "valid" (the one other string a convolution accepts)
            padding = (0,) * len(kernel)
        else:
            padding = m.padding
        if one:
            x = x.unsqueeze(2)
            kernel, dilation, padding, stride = (1, *kernel), (1, *dilation), (0, *padding), (1, *stride)
        return F.unfold(x, kernel, dilation=dilation, padding=padding, stride=stride).transpose(1, 2)

    def _ad(self, ctx: torch.Tensor, grads: List[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        n, g = ctx.shape[0], self.module.groups
        a = self._unfold(ctx.to(self.dtype))
        d = grads[0].to(self.dtype).reshape(n, grads[0].shape[1], -1).transpose(1, 2)
        return a.reshape(n, a.shape[1], g, -1), d.reshape(n, d.shape[1], g, -1)

    def materialise(self, ctx: torch.Tensor, grads: List[torch.Tensor], roles: Sequence[str],
                    into: Optional[Dict[str, torch.Tensor]] = None) -> Dict[str, torch.Tensor]:
        a, d = self._ad(ctx, grads)
        out = {}
        if "weight" in roles:
            n, length, g = a.shape[:3]          # per (example, group): (out, L) @ (L, in * kernel)
            w = torch.bmm(d.permute(0, 2, 3, 1).reshape(n * g, -1, length), a.transpose(1, 2).reshape(n * g, length, -1))
            out["weight"] = w.reshape(n, -1)
        if "bias" in roles:
            out["bias"] = d.sum(1).reshape(d.shape[0], -1)
        return out

    def ghost(self, ctx: torch.Tensor, grads: List[torch.Tensor]) -> Ghost:
        a, d = self._ad(ctx, grads)
        return Ghost(a.flatten(2), d.flatten(2), "linear")

    def costs(self, ctx: torch.Tensor, grads: List[torch.Tensor]) -> Tuple[float, float]:
        if self.module.groups != 1:
            return float("inf"), 0.0
        n, w = ctx.shape[0], self.module.weight
        t = grads[0][0, 0].numel()
        i, o = w[0].numel(), w.shape[0]
        return float(n * n * t * t * (i + o + 1)), float(n * t * i * o + n * n * i * o)


class EmbeddingRule(Rule[nn.Embedding]):
    """nn.Embedding (not scale_grad_by_freq, which mixes the examples)."""

    name = "embedding"
    ghost_roles = ("weight",)

    def _td(self, ctx: torch.Tensor, grads: List[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        n = ctx.shape[0]
        tokens = ctx.reshape(n, -1)
        d = grads[0].reshape(n, tokens.shape[1], -1).to(self.dtype)
        if self.module.padding_idx is not None:           # no gradient reaches the padding row
            d = d * (tokens != self.module.padding_idx).unsqueeze(-1).to(d.dtype)
        return tokens, d

    def materialise(self, ctx: torch.Tensor, grads: List[torch.Tensor], roles: Sequence[str],
                    into: Optional[Dict[str, torch.Tensor]] = None) -> Dict[str, torch.Tensor]:
        tokens, d = self._td(ctx, grads)
        n, vocab, width = tokens.shape[0], self.module.num_embeddings, d.shape[-1]
        rows = (torch.arange(n, device=tokens.device).unsqueeze(1) * vocab + tokens).reshape(-1)
        held = (into or {}).get("weight")
        if held is not None and held.dtype == d.dtype and held.is_contiguous():     # tied to a head: added into it
            held.view(n * vocab, width).index_add_(0, rows, d.reshape(-1, width))
            return {"weight": held}
        out = torch.zeros(n * vocab, width, dtype=d.dtype, device=d.device)
        out.index_add_(0, rows, d.reshape(-1, width))
        return {"weight": out.reshape(n, -1)}

    def ghost(self, ctx: torch.Tensor, grads: List[torch.Tensor]) -> Ghost:
        tokens, d = self._td(ctx, grads)
        return Ghost(tokens, d, "embedding")

    def costs(self, ctx: torch.Tensor, grads: List[torch.Tensor]) -> Tuple[float, float]:
        n, t = ctx.shape[0], ctx[0].numel()
        numel = self.module.weight.numel()
        return float(n * n * t * t * (grads[0].shape[-1] + 1)), float(n * numel + n * n * numel)


class NormRule(Rule["Union[nn.LayerNorm, nn.RMSNorm]"]):
    """nn.LayerNorm and nn.RMSNorm affine parameters (x-hat recomputed from the input)."""

    name = "norm"

    def materialise(self, ctx: torch.Tensor, grads: List[torch.Tensor], roles: Sequence[str],
                    into: Optional[Dict[str, torch.Tensor]] = None) -> Dict[str, torch.Tensor]:
        m, n = self.module, ctx.shape[0]
        x = ctx.to(self.dtype)
        d = grads[0].to(self.dtype)
        out = {}
        if "weight" in roles:                  # x-hat: the same normalisation without the affine part
            if isinstance(m, nn.LayerNorm):
                xhat = F.layer_norm(x, m.normalized_shape, eps=m.eps)
            else:
                xhat = F.rms_norm(x, m.normalized_shape, eps=m.eps if m.eps is not None else torch.finfo(ctx.dtype).eps)
            out["weight"] = (xhat * d).reshape(n, -1, m.weight.numel()).sum(1)
        if "bias" in roles and isinstance(m, nn.LayerNorm):      # RMSNorm has no bias
            out["bias"] = d.reshape(n, -1, m.bias.numel()).sum(1)
        return out


_MHA = nn.MultiheadAttention


class FunctionalRule(Rule[nn.Module]):
    """Any other module: torch.func per-example gradients of its own parameters
    (``roles``: names relative to the module), the forward recomputed under
    vmap and contracted with the captured output gradients. Random operations
    (dropout with p > 0) inside the module cannot be replayed and raise."""

    name = "torch.func"

    def __init__(self, module: nn.Module, roles: Dict[str, nn.Parameter]):
        super().__init__(module, roles)
        self.bdim = 1 if isinstance(module, _MHA) and not module.batch_first else 0

    def _hooked(self, output: Any) -> List[int]:
        leaves, _ = torch.utils._pytree.tree_flatten(output)
        return [i for i, t in enumerate(leaves) if isinstance(t, torch.Tensor) and t.requires_grad]

    def outputs(self, output: Any) -> List[torch.Tensor]:
        leaves, _ = torch.utils._pytree.tree_flatten(output)
        return [leaves[i] for i in self._hooked(output)]

    def context(self, args: Tuple[Any, ...], kwargs: Dict[str, Any], output: Any) -> Any:
        detach = lambda v: v.detach() if isinstance(v, torch.Tensor) else v  # noqa: E731
        args, kwargs = torch.utils._pytree.tree_map(detach, (args, kwargs))
        return args, kwargs, self._hooked(output)

    def _dim(self, t: torch.Tensor, n: int, key: str = "") -> Optional[int]:
        """The batch dimension of an input (``key``: "#i" for the i-th
        positional argument, else the keyword), None for one shared by the batch."""
        if isinstance(self.module, _MHA) and key:        # query, key, value and key_padding_mask carry the batch
            return self.bdim if key in ("#0", "#1", "#2", "query", "key", "value") else \
                0 if key == "key_padding_mask" else None
        if t.dim() > self.bdim and t.shape[self.bdim] == n:
            return self.bdim
        return 0 if t.dim() > 0 and t.shape[0] == n else None

    def batch_of(self, grads: List[torch.Tensor]) -> int:
        g = grads[0]
        return int(g.shape[self.bdim] if g.dim() > self.bdim else g.shape[0])

    def materialise(self, ctx: Any, grads: List[torch.Tensor], roles: Sequence[str],
                    into: Optional[Dict[str, torch.Tensor]] = None) -> Dict[str, torch.Tensor]:
        from torch.func import functional_call, grad, vmap
        args, kwargs, out_index = ctx
        n = self.batch_of(grads)
        leaves, spec = torch.utils._pytree.tree_flatten((args, kwargs))
        keys: List[str] = []                     # the leaves' arguments, in flattening order
        for key, value in [(f"#{i}", a) for i, a in enumerate(args)] + list(kwargs.items()):
            keys += [key] * len(torch.utils._pytree.tree_flatten(value)[0])
        tensor_at = [i for i, t in enumerate(leaves) if isinstance(t, torch.Tensor)]
        dims = [self._dim(leaves[i], n, keys[i]) for i in tensor_at]
        grad_dims = [self._dim(g, n) for g in grads]
        params = {k: p.detach() for k, p in self.roles.items()}

        def contracted(theta: Dict[str, torch.Tensor], tensors: List[torch.Tensor],
                       gs: List[torch.Tensor]) -> Union[float, torch.Tensor]:
            values = list(leaves)
            for i, t, dim in zip(tensor_at, tensors, dims):
                values[i] = t if dim is None else t.unsqueeze(dim)
            a, kw = torch.utils._pytree.tree_unflatten(values, spec)
            out_leaves, _ = torch.utils._pytree.tree_flatten(functional_call(self.module, theta, tuple(a), kw))
            total: Union[float, torch.Tensor] = 0.0
            for i, g, dim in zip(out_index, gs, grad_dims):
                total = total + (out_leaves[i] * (g if dim is None else g.unsqueeze(dim))).sum()
            return total

        per = vmap(grad(contracted), in_dims=(None, dims, grad_dims), randomness="error")(
            params, [leaves[i] for i in tensor_at], list(grads))
        return {k: per[k].reshape(n, -1).to(self.dtype) for k in roles}
