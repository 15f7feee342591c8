"""Which rule of ``_rules.py`` covers each module of a model, or why
per-example noise is not available for it (modules that mix the examples of a
batch, sequence-first Transformer layers, parameters outside any module)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple, Type, TypeVar

import torch
from torch import nn

from ._rules import _MHA, ConvRule, EmbeddingRule, FunctionalRule, LinearRule, NormRule, Rule

if TYPE_CHECKING:
    from typing_extensions import TypeGuard

_Of = TypeVar("_Of", bound=nn.Module)


def _is(module: nn.Module, cls: Type[_Of]) -> TypeGuard[_Of]:
    """An instance of ``cls`` whose forward is ``cls.forward`` (subclasses that
    compute something else go to the torch.func fallback)."""
    return isinstance(module, cls) and type(module).forward is cls.forward


def _hf_conv1d(module: nn.Module) -> bool:
    w = getattr(module, "weight", None)
    return type(module).__name__ == "Conv1D" and isinstance(w, torch.Tensor) and w.dim() == 2 and \
        tuple(w.shape) == (getattr(module, "nx", None), getattr(module, "nf", None))


def rule_for(module: nn.Module, roles: Dict[str, nn.Parameter]) -> Rule[nn.Module]:
    """The rule of a module with trainable direct parameters ``roles``."""
    if _is(module, nn.Linear):
        return LinearRule(module, roles)
    if _hf_conv1d(module):
        return LinearRule(module, roles, transposed=True)
    if _is(module, nn.Conv1d) or _is(module, nn.Conv2d):
        return ConvRule(module, roles)
    if _is(module, nn.Embedding) and not module.scale_grad_by_freq:
        return EmbeddingRule(module, roles)
    if _is(module, nn.LayerNorm) or (hasattr(nn, "RMSNorm") and _is(module, nn.RMSNorm)):
        return NormRule(module, roles)
    return FunctionalRule(module, roles)


# Modules that mix the examples of a batch: a per-example gradient is not defined through them.
_MIXING = (nn.modules.batchnorm._BatchNorm,)


def _sequence_first(module: nn.Module) -> bool:
    """A Transformer layer (encoder, decoder or the whole nn.Transformer) built
    with batch_first=False. A bare nn.MultiheadAttention with batch_first=False
    stays allowed: its batch dimension (1) is known to its rule, and a model
    may transpose batch-first activations around it."""
    layers = (nn.TransformerEncoderLayer, nn.TransformerDecoderLayer, nn.Transformer)
    if not isinstance(module, layers):
        return False
    attn = getattr(module, "self_attn", None)
    return not getattr(module, "batch_first", getattr(attn, "batch_first", True))


def plan(root: nn.Module, params: Sequence[torch.Tensor]) -> Tuple[List[Tuple[str, Rule[nn.Module]]], Optional[str]]:
    """[(module name, rule)] covering every recorded parameter, or a reason why
    per-example noise is not available for this model. ``nn.MultiheadAttention``
    is one torch.func unit with all its parameters (its ``out_proj`` Linear is
    never called as a module); any module's direct parameters otherwise go to
    its own rule."""
    wanted = {id(p) for p in params}
    rules: List[Tuple[str, Rule[nn.Module]]] = []
    for name, module in root.named_modules():
        if isinstance(module, _MIXING):
            return [], f"{type(module).__name__} at {name or 'the model'!r} mixes the examples of a batch"
        if _sequence_first(module):
            # the activations around such a layer are (T, B, ...): at T == B every other module's shares are then
            # per position, cannot be told from per example, and add up to .grad all the same
            return [], (f"{type(module).__name__} at {name or 'the model'!r} has batch_first=False (sequence-first "
                        f"activations, which cannot be told apart from a batch of T examples when T == B); use "
                        f"batch_first=True")
        if isinstance(module, nn.Embedding) and module.scale_grad_by_freq and \
                any(id(p) in wanted for p in module.parameters(recurse=False)):
            return [], f"Embedding at {name!r} has scale_grad_by_freq=True, which mixes the examples of a batch"
    skip: List[str] = []
    for name, module in root.named_modules(remove_duplicate=True):
        if any(name == s or name.startswith(s + ".") for s in skip):
            continue
        if isinstance(module, _MHA):
            skip.append(name)
            roles = {k: p for k, p in module.named_parameters() if id(p) in wanted}
        else:
            roles = {k: p for k, p in module.named_parameters(recurse=False) if id(p) in wanted}
        if roles:
            rule = FunctionalRule(module, roles) if isinstance(module, _MHA) else rule_for(module, roles)
            rules.append((name, rule))
    covered = {id(p) for _, r in rules for p in r.roles.values()}
    missing = [i for i, p in enumerate(params) if id(p) not in covered]
    if missing:
        return [], f"{len(missing)} trainable parameter tensor(s) belong to no module of the model"
    return rules, None
