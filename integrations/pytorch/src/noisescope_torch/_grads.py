"""The single-process micro-batch gradients of NoiseRecorder: its settings,
the batch's length, and the rows of the micro-batches of one recording step.
Everything stays on the gradients' device."""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence

import torch

from ._params import flatten_like

# loss_fn(output, targets), or loss_fn(output) without targets: the mean loss of a batch.
LossFn = Callable[..., torch.Tensor]


def check_micro_config(loss_fn: Optional[Callable[..., object]], micro_batches: int, micro_samples: int,
                       batch_size: Optional[int]) -> None:
    """Refuses settings of the micro-batch mode (one process, no reference)
    that give no noise sample."""
    if loss_fn is None:
        raise ValueError("noisescope_torch: one process needs loss_fn= (and step(s, inputs=x, targets=y)) to "
                         "measure noise from micro-batches, or reference= a fixed gradient; without either "
                         "there is no noise sample")
    if not callable(loss_fn):
        raise TypeError(f"noisescope_torch: loss_fn must be callable, got {type(loss_fn).__name__}")
    if micro_batches < 2:
        raise ValueError(f"noisescope_torch: micro_batches must be at least 2 (two batch sizes), "
                         f"got {micro_batches}")
    if not 1 <= micro_samples <= micro_batches:
        raise ValueError(f"noisescope_torch: micro_samples must be in 1..micro_batches={micro_batches}, "
                         f"got {micro_samples}")
    if batch_size is not None and batch_size < micro_batches:
        raise ValueError(f"noisescope_torch: batch_size {batch_size} cannot be cut into "
                         f"micro_batches={micro_batches} micro-batches of at least one example")


def batch_length(inputs: Any) -> int:
    """Examples in a batch: the first dimension of the tensor (or of the first
    tensor of a tuple/list)."""
    if isinstance(inputs, dict):          # keyword inputs (Hugging Face): the first tensor value
        inputs = next((v for v in inputs.values() if isinstance(v, torch.Tensor) and v.dim() > 0), None)
    first = inputs[0] if isinstance(inputs, (tuple, list)) else inputs
    if not isinstance(first, torch.Tensor) or first.dim() == 0:
        raise TypeError(f"noisescope_torch: inputs must be a tensor with a batch dimension, or a tuple/list of "
                        f"them, got {type(first).__name__}")
    return int(first.shape[0])


def _slice(value: Any, start: int, stop: int) -> Any:
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        return type(value)(_slice(v, start, stop) for v in value)
    if isinstance(value, dict):
        return {k: _slice(v, start, stop) for k, v in value.items()}
    if isinstance(value, torch.Tensor) and value.dim() > 0:
        return value[start:stop]
    return value


def micro_batch_rows(module: torch.nn.Module, params: Sequence[torch.Tensor], loss_fn: LossFn, inputs: Any,
                     targets: Any, micro_batches: int, micro_samples: int, batch_gradient: torch.Tensor,
                     sizes: Optional[Sequence[int]] = None) -> torch.Tensor:
    """Rows [1, |h_j - g|^2, |h_j|^2, |g|^2, b, B] for the first ``micro_samples``
    micro-batches j (examples j*b .. (j+1)*b - 1, b = B // micro_batches) of the
    batch of B examples whose mean-loss gradient is ``batch_gradient`` (g);
    h_j is the mean-loss gradient of micro-batch j, from ``torch.autograd.grad``
    (``.grad`` untouched). The global RNG and the module's buffers (BatchNorm
    running statistics) are restored afterwards, so recording leaves the
    training trajectory exactly as without the recorder. Returns a
    (micro_samples, 6) float64 tensor on the gradients' device; with ``sizes``
    (the parameter tensors' sizes, per-layer recording) each row goes on with
    the per-tensor |h_j - g|^2, |h_j|^2 and |g|^2 (6 + 3T columns)."""
    from ._layers import tensor_sq
    total = batch_length(inputs)
    b = total // micro_batches
    if b < 1:
        raise ValueError(f"noisescope_torch: a batch of {total} examples cannot be cut into {micro_batches} "
                         f"micro-batches; pass bigger batches or a smaller micro_batches=")
    device = batch_gradient.device
    g_sq = torch.dot(batch_gradient, batch_gradient)
    g_t = tensor_sq(batch_gradient, sizes) if sizes is not None else None
    saved = [(buf, buf.detach().clone()) for buf in module.buffers()]
    rng_devices = [device] if device.type == "cuda" else []
    rows: List[torch.Tensor] = []
    per_tensor: List[torch.Tensor] = []       # with sizes: the per-tensor columns of each row
    try:
        with torch.random.fork_rng(devices=rng_devices), torch.enable_grad():
            for j in range(micro_samples):
                x = _slice(inputs, j * b, (j + 1) * b)
                y = _slice(targets, j * b, (j + 1) * b)
                output = module(**x) if isinstance(x, dict) else module(*x) if isinstance(x, (tuple, list)) else module(x)
                loss = loss_fn(output) if y is None else loss_fn(output, y)
                grads = torch.autograd.grad(loss, params, allow_unused=True)
                h = flatten_like(grads, params, device)
                h_sq = torch.dot(h, h)
                h_t = tensor_sq(h, sizes) if sizes is not None else None
                h.sub_(batch_gradient)
                row = torch.stack([h_sq.new_ones(()), torch.dot(h, h), h_sq, g_sq])
                if sizes is not None and h_t is not None and g_t is not None:    # all three or none
                    per_tensor.append(torch.cat([tensor_sq(h, sizes), h_t, g_t]))
                rows.append(row)
    finally:
        with torch.no_grad():
            for buf, copy in saved:
                buf.copy_(copy)
    batch = torch.tensor([float(b), float(total)], dtype=torch.float64, device=device)
    head = torch.cat([torch.stack(rows), batch.expand(len(rows), 2)], dim=1)
    return head if not per_tensor else torch.cat([head, torch.stack(per_tensor)], dim=1)


def loss_adds_examples(module: torch.nn.Module, loss_fn: LossFn, inputs: Any, targets: Any) -> bool:
    """Whether ``loss_fn`` sums the examples' losses instead of averaging them
    (``reduction="sum"``): one forward of the batch's first two examples, no
    gradient, RNG and buffers restored; the loss of both against those of each
    alone. A loss weighted by tokens is neither and passes."""
    if batch_length(inputs) < 2:
        return False
    saved = [(buf, buf.detach().clone()) for buf in module.buffers()]
    device = next(module.parameters()).device
    try:
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []), torch.no_grad():
            x, y = _slice(inputs, 0, 2), _slice(targets, 0, 2)
            output = module(**x) if isinstance(x, dict) else module(*x) if isinstance(x, (tuple, list)) else module(x)
            losses = [float(loss_fn(o) if t is None else loss_fn(o, t)) for o, t in
                      ((output, y), (_slice(output, 0, 1), _slice(y, 0, 1)), (_slice(output, 1, 2), _slice(y, 1, 2)))]
    finally:
        with torch.no_grad():
            for buf, copy in saved:
                buf.copy_(copy)
    both, parts = losses[0], losses[1] + losses[2]
    scale = max(abs(both), abs(parts), 1e-30)
    return abs(both - parts) <= 1e-5 * scale and abs(both - parts / 2) > 1e-3 * scale
