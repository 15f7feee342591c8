"""Capture of per-example gradient information during the user's own backward,
and the per-tensor Gram matrices of a recording step.

While armed, a forward hook on each covered module keeps what its rule needs of
the call (``_rules.py``) and puts a tensor hook on the output; when the output's
gradient D arrives (during the user's backward: no second backward), the call's
contributions are either materialised at once (n x numel per parameter, then A
and D are dropped) or kept as ghost factors, whichever costs fewer
multiply-adds for the module (decided at its first call; ``path`` forces one).
torch.func calls are kept and materialised at :meth:`Capture.finish`, outside
the backward. Parameters used by several modules (tied embeddings) are always
materialised, so the contributions of the same tensor are summed before any
inner product (the Gram matrix of a sum is not the sum of Gram matrices).

A *segment* is one forward...backward cycle (one micro-step of gradient
accumulation): a forward after any output gradient starts a new one. The
examples of all segments of a step are stacked in order; a module called
several times in one segment (a reused module) adds up (materialised) or is
concatenated along its token axis (ghost). Calls whose output never gets a
gradient contribute nothing.

A call on one input shared by the whole batch returns its output expanded to
the batch (a view; broadcasting downstream gives the same values), so that its
gradient arrives per example instead of summed over the batch, only for the
two known position-embedding patterns beside a model input of shape (n, T):
GPT-2's ``(1, T)`` position ids and nanoGPT's ``wpe(arange(T))`` (see
``_shared``). Any other call's output is left untouched (recording never
changes the shapes user code sees); a module that does not see the batch then
disagrees in size with the others and the step is skipped. The batch size comes
from the model's own input (a pre-hook on the model) or from the segment's
first call.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch

from ._rules import FunctionalRule, Ghost, Rule
from ._stats import SMALL, StepStats, TensorStats, ghost_dot, ghost_gram, one_tensor, stack_ghosts

# A forward hook with keyword arguments: (module, args, kwargs, output) -> the output to use, or None.
ForwardHook = Callable[[torch.nn.Module, Tuple[Any, ...], Dict[str, Any], Any], Any]


@dataclass
class Call:
    rule: int
    segment: int
    ctx: Any
    grads: List[Optional[torch.Tensor]]
    remaining: int


class Capture:
    """The hooks of one model and what they saw since :meth:`reset`.
    ``path``: "auto" (cheaper of ghost and materialised per module), "ghost" or
    "materialise" (tests)."""

    def __init__(self, root: torch.nn.Module, rules: List[Tuple[str, Rule[torch.nn.Module]]],
                 params: Sequence[torch.Tensor], path: str = "auto"):
        if path not in ("auto", "ghost", "materialise"):
            raise ValueError(f"noisescope_torch: per-example path must be auto, ghost or materialise, got {path!r}")
        self.rules, self.params, self.force = rules, list(params), path
        index = {id(p): i for i, p in enumerate(self.params)}
        self.tensor: Dict[Tuple[int, str], int] = {(k, role): index[id(p)] for k, (_, r) in enumerate(rules)
                                                   for role, p in r.roles.items()}
        owners: Dict[int, int] = {}
        for t in self.tensor.values():
            owners[t] = owners.get(t, 0) + 1
        self.shared = {t for t, count in owners.items() if count > 1}
        self.paths: Dict[Tuple[int, str], str] = {}
        self.root = root
        self.busy = False
        self.eager_stats = True                    # statistics of large shares at once, in cache (_early)
        self.sub_batches: Tuple[int, int] = (1, 1)     # (sub_batches, sub_samples) that finish() will be given
        self._handles: List[torch.utils.hooks.RemovableHandle] = []
        self.reset()

    @property
    def armed(self) -> bool:
        return bool(self._handles)

    @armed.setter
    def armed(self, value: bool) -> None:
        """The hooks exist only while armed: steps that are not recorded run
        the model without any hook (PyTorch's fast path)."""
        if value and not self._handles:
            self._handles = [r.module.register_forward_hook(self._forward(k), with_kwargs=True)
                             for k, (_, r) in enumerate(self.rules)]
            self._handles.append(self.root.register_forward_pre_hook(self._root, with_kwargs=True))
        elif not value:
            self.remove()

    def reset(self) -> None:
        self.segment, self._backward_seen = -1, True
        self.sizes: Dict[int, int] = {}
        self._batch_shape: Dict[int, Tuple[int, ...]] = {}     # segment -> shape of its batch input
        self._model_shape: Optional[Tuple[int, ...]] = None
        self.mat: Dict[int, Dict[int, torch.Tensor]] = {}
        self.ghost: Dict[int, Dict[int, List[Ghost]]] = {}
        self.retained: List[Call] = []
        self.open: Dict[int, Call] = {}
        self.eager: Dict[int, Tuple[int, int, int, TensorStats]] = {}   # tensor -> (n, k, b, its statistics): _early
        self.error: Optional[str] = None

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def _fail(self, message: str) -> None:
        if self.error is None:
            self.error = message

    def _root(self, module: torch.nn.Module, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        if not self.busy and torch.is_grad_enabled():
            first = next((t for t in torch.utils._pytree.tree_flatten((args, kwargs))[0]
                          if isinstance(t, torch.Tensor) and t.dim() > 0), None)
            self._model_shape = None if first is None else tuple(first.shape)
        return None

    def _shared(self, rule: Rule[torch.nn.Module], first: torch.Tensor,
                n: int) -> Optional[Callable[[torch.Tensor], torch.Tensor]]:
        """How to expand a call's output (and input) when it is one of the two
        known position-embedding patterns beside a model input of shape (n, T),
        else None (the output is left as it is). Only an embedding of positions
        (T consecutive integers) is expanded: GPT-2's ``(1, T)`` position ids
        and nanoGPT's ``wpe(arange(T))``, whose outputs are added to the (n, T, D)
        token embeddings, where the expanded view broadcasts to the same values.
        Any other call keeps its output: if it does not see the batch, its
        module's shares disagree in size with the others' and the step is
        skipped (``_size``) rather than the shapes user code sees being changed."""
        if n <= 1 or not isinstance(rule.module, torch.nn.Embedding) or first.is_floating_point():
            return None
        model = self._batch_shape.get(self.segment, ())
        if len(model) != 2 or model[0] != n:
            return None
        t = model[1]
        if tuple(first.shape) not in ((1, t), (t,)):
            return None
        flat = first.reshape(-1)
        if not torch.equal(flat - flat[0], torch.arange(t, device=first.device, dtype=first.dtype)):
            return None
        if first.dim() == 2:                                   # GPT-2: (1, T) position ids
            return lambda y: y.expand(n, *y.shape[1:])
        return lambda y: y.unsqueeze(0).expand(n, *y.shape)   # nanoGPT: wpe(arange(T))

    def _forward(self, k: int) -> ForwardHook:
        name, rule = self.rules[k]

        def hook(module: torch.nn.Module, args: Tuple[Any, ...], kwargs: Dict[str, Any], output: Any) -> Any:
            if self.busy or not torch.is_grad_enabled():
                return None
            try:
                outs = rule.outputs(output)
                if not outs:
                    return None
                if self._backward_seen:
                    self.segment, self._backward_seen = self.segment + 1, False
                    if self._model_shape is not None:
                        self._batch_shape[self.segment] = self._model_shape
                    self._model_shape = None
                first = args[0] if args and isinstance(args[0], torch.Tensor) and args[0].dim() > 0 else None
                n = self._batch_shape.get(self.segment, (None,))[0]
                if first is not None and not isinstance(rule, FunctionalRule):
                    expand = None if n is None else self._shared(rule, first, n)
                    if expand is not None:                     # a call shared by the batch
                        output, args = expand(output), (expand(first),) + tuple(args[1:])
                        outs = rule.outputs(output)
                    elif n is None:
                        self._batch_shape[self.segment] = tuple(first.shape)
                call = Call(k, self.segment, rule.context(args, kwargs, output), [None] * len(outs), len(outs))
                self.open[id(call)] = call
                for j, y in enumerate(outs):
                    y.register_hook(self._grad_hook(call, j))  # type: ignore[no-untyped-call]  # unannotated in torch
            except Exception as error:  # never break the user's training
                self._fail(f"{name or 'the model'} ({type(module).__name__}) forward: {error!r}")
                return None
            return output
        return hook

    def _grad_hook(self, call: Call, j: int) -> Callable[[torch.Tensor], None]:
        def hook(grad: torch.Tensor) -> None:
            self._backward_seen = True
            try:
                if call.grads[j] is None:
                    call.remaining -= 1
                call.grads[j] = grad.detach()
                if call.remaining == 0:
                    self._complete(call)
            except Exception as error:  # never break the user's backward
                self._fail(f"output gradient hook: {error!r}")
            return None
        return hook

    def _size(self, call: Call, n: int) -> bool:
        known = self.sizes.setdefault(call.segment, n)
        if known != n:
            name, rule = self.rules[call.rule]
            self._fail(f"{name or 'the model'} ({type(rule.module).__name__}) saw {n} examples where other modules "
                       f"saw {known}: per-example noise needs the batch as dimension 0 of every module's input")
            return False
        return True

    def _path(self, k: int, role: str, rule: Rule[torch.nn.Module], call: Call, grads: List[torch.Tensor]) -> str:
        t = self.tensor[(k, role)]
        if t in self.shared or role not in rule.ghost_roles:
            return "materialised"
        if (k, role) not in self.paths:
            ghost, mat = rule.costs(call.ctx, grads)
            choice = {"ghost": "ghost", "materialise": "materialised"}.get(self.force)
            if choice is None or (choice == "ghost" and ghost == float("inf")):
                choice = "ghost" if ghost < mat else "materialised"
            self.paths[(k, role)] = choice
        return self.paths[(k, role)]

    def _add(self, t: int, segment: int, value: torch.Tensor) -> None:
        """Adds a call's shares of tensor t to the segment's (in place: every
        buffer here is the capture's own; a rule given it as ``into`` may have
        accumulated into it already)."""
        parts = self.mat.setdefault(t, {})
        held = parts.get(segment)
        if held is None:
            parts[segment] = value
            return
        self.eager.pop(t, None)                 # a second contribution: the early statistics no longer hold
        if value is not held:
            held.add_(value)

    def _early(self, t: int, segment: int) -> None:
        """The statistics of a large tensor's shares right after its first
        contribution, while they are still in the cache (``eager_stats``);
        ``_stats`` uses them when no other contribution or segment followed,
        as with most tensors of a one-micro-step batch, and otherwise
        recomputes them from the shares."""
        g = self.mat[t][segment]
        if not self.eager_stats or segment != 0 or t in self.shared or g.shape[1] <= SMALL:
            return
        n = g.shape[0]
        m = min(self.sub_batches[0], n)
        k, b = min(self.sub_batches[1], m), n // m
        with torch.no_grad():
            self.eager[t] = (n, k, b, one_tensor(g, k, b))

    def _complete(self, call: Call) -> None:
        self.open.pop(id(call), None)
        name, rule = self.rules[call.rule]
        grads = [g for g in call.grads if g is not None]    # every one, unless finish() completed the call
        try:
            if isinstance(rule, FunctionalRule):
                if self._size(call, rule.batch_of(grads)):
                    self.retained.append(call)
                return
            if not self._size(call, rule.batch(call.ctx)):
                return
            mat_roles = []
            for role in rule.roles:
                if self._path(call.rule, role, rule, call, grads) == "ghost":
                    parts = self.ghost.setdefault(self.tensor[(call.rule, role)], {})
                    parts.setdefault(call.segment, []).append(rule.ghost(call.ctx, grads))
                else:
                    mat_roles.append(role)
            if mat_roles:
                into = {}          # shares already held for this segment (a tied or reused tensor): added into
                for role in mat_roles:
                    held = self.mat.get(self.tensor[(call.rule, role)], {}).get(call.segment)
                    if held is not None:
                        into[role] = held
                for role, value in rule.materialise(call.ctx, grads, mat_roles, into).items():
                    t = self.tensor[(call.rule, role)]
                    self._add(t, call.segment, value)
                    if role not in into:
                        self._early(t, call.segment)
        except Exception as error:  # never break the user's backward
            self._fail(f"{name or 'the model'} ({type(rule.module).__name__}): {error!r}")
        call.ctx, call.grads = None, []

    def _materialise_functional(self, call: Call) -> None:
        name, rule = self.rules[call.rule]
        args, kwargs, hooked = call.ctx
        kept = [(i, g) for i, g in zip(hooked, call.grads) if g is not None]
        ctx = (args, kwargs, [i for i, _ in kept])
        try:
            for role, value in rule.materialise(ctx, [g for _, g in kept], list(rule.roles)).items():
                self._add(self.tensor[(call.rule, role)], call.segment, value)
        except Exception as error:
            self._fail(f"{name or 'the model'} ({type(rule.module).__name__}) via torch.func: {error!r}")

    def finish(self, vectors: Optional[Sequence[torch.Tensor]] = None, sub_batches: int = 1,
               sub_samples: int = 1) -> Optional[StepStats]:
        """The step's per-tensor statistics (dots with ``vectors``, one flat
        vector per parameter tensor; blocks of the first ``sub_samples`` of
        ``sub_batches`` sub-batches), or None when nothing was captured or a
        capture failed (``error`` says why). Call :meth:`reset` afterwards."""
        for call in list(self.open.values()):          # an output without gradient contributes nothing
            if any(g is not None for g in call.grads):
                call.remaining = 0
                self._complete(call)
        self.open.clear()
        self.busy = True
        try:
            with torch.no_grad(), warnings.catch_warnings():      # torch.func's grad ignores the outer no_grad
                warnings.filterwarnings("ignore", message="There is a performance drop")   # vmap fallbacks
                for call in self.retained:
                    self._materialise_functional(call)
        finally:
            self.busy = False
        if self.error is not None or not self.sizes:
            return None
        with torch.no_grad():
            return self._stats(vectors, sub_batches, sub_samples)

    def _stats(self, vectors: Optional[Sequence[torch.Tensor]], sub_batches: int, sub_samples: int) -> StepStats:
        segments = sorted(self.sizes)
        n = sum(self.sizes.values())
        m = min(sub_batches, n)
        out = StepStats.empty([self.sizes[s] for s in segments], len(self.params), min(sub_samples, m), n // m,
                              vectors is not None, self.params[0].device)
        small: Dict[torch.dtype, List[Tuple[int, torch.Tensor]]] = {}
        grams: List[Tuple[int, torch.Tensor]] = []
        early = len(segments) == 1
        for t, p in enumerate(self.params):
            if t in self.mat:
                g = self._shares(t, segments)
                kept = self.eager.get(t) if early else None
                if kept is not None and kept[:3] == (n, out.blocks.shape[1], out.b):
                    out.set_one(t, kept[3])
                    if vectors is not None and out.dots is not None:
                        out.dots[t] = (g @ vectors[t].reshape(-1).to(g.dtype)).double()
                elif g.shape[1] <= SMALL:
                    small.setdefault(g.dtype, []).append((t, g))
                else:
                    out.add_shares([t], g, [g.shape[1]], None if vectors is None else vectors[t].reshape(-1))
            elif t in self.ghost:
                stacked = stack_ghosts(self.ghost[t], segments, self.sizes)
                grams.append((t, ghost_gram(stacked)))
                if vectors is not None and out.dots is not None:
                    out.dots[t] = ghost_dot(stacked, vectors[t].reshape(-1))
        if grams:
            out.add_grams([t for t, _ in grams], torch.stack([k for _, k in grams]))
        for group in small.values():           # biases, norms' parameters: together
            tensors = [t for t, _ in group]
            out.add_shares(tensors, torch.cat([g for _, g in group], dim=1), [g.shape[1] for _, g in group],
                           None if vectors is None else torch.cat([vectors[t].reshape(-1) for t in tensors]))
        return out

    def _shares(self, t: int, segments: List[int]) -> torch.Tensor:
        """Tensor t's materialised shares of all segments, stacked (N x numel)."""
        parts = self.mat[t]
        if len(parts) == len(segments):
            return parts[segments[0]] if len(segments) == 1 else torch.cat([parts[s] for s in segments])
        like = next(iter(parts.values()))          # a segment without this tensor: zero shares
        return torch.cat([parts[s] if s in parts else like.new_zeros((self.sizes[s], like.shape[1]))
                          for s in segments])

    def describe(self, names: Sequence[str]) -> List[Dict[str, Any]]:
        """The manifest's per-module list: which rule and path each tensor took
        ("pending" until the module's first recorded call decides)."""
        out = []
        for k, (name, rule) in enumerate(self.rules):
            tensors: Dict[str, str] = {}
            for role in rule.roles:
                t = self.tensor[(k, role)]
                if isinstance(rule, FunctionalRule):
                    path = "torch.func"
                elif t in self.shared or role not in rule.ghost_roles:
                    path = "materialised"
                else:
                    path = self.paths.get((k, role), "pending")
                tensors[names[t]] = path
            out.append({"module": name, "type": type(rule.module).__name__, "rule": rule.name, "tensors": tensors})
        return out
