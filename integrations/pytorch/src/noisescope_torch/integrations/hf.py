"""``NoiseScopeHFCallback``: a ``transformers.TrainerCallback`` that records
gradient noise with a NoiseRecorder (one process, noise from micro-batches of
each recorded batch; docs/integrations.md).

    from noisescope_torch.integrations.hf import NoiseScopeHFCallback
    trainer = Trainer(model, TrainingArguments(..., max_grad_norm=0), ...,
                      callbacks=[NoiseScopeHFCallback("runs/noise", every=10)])

The callback keeps the keyword inputs of the last training forward (a forward
pre-hook) and, at ``on_pre_optimizer_step`` (after backward), recomputes the
micro-batch gradients with ``model(**micro_batch).loss``. When the Trainer
passes ``num_items_in_batch`` (the loss is a sum over the batch's label tokens
divided by that count), the micro-batch keeps it and its loss is multiplied by
B / b, so that micro and batch losses are on the same scale; this is exact when
every example has the same number of label tokens (no padding), approximate
otherwise.

Refused with one-line errors, because the numbers would be wrong:
- ``max_grad_norm > 0``: the Trainer clips ``.grad`` before this hook, so the
  batch gradient would be clipped and the micro-batch gradients not. Set
  ``max_grad_norm=0`` (clip in the optimizer instead, e.g.
  ``noisescope_torch.optim.ClipAdamNorm``).
- ``gradient_accumulation_steps > 1``: ``.grad`` spans several forwards.
- several processes: the Trainer's DDP wrapper is not reachable from a
  callback; use NoiseRecorder with your DDP model in your own loop.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

try:
    from transformers import TrainerCallback
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError("noisescope_torch.integrations.hf needs transformers: pip install transformers") from None

import torch.distributed as dist

from ..recorder import NoiseRecorder

__all__ = ["NoiseScopeHFCallback"]



class _HFLoss:
    """``output.loss`` times ``scale`` (B / b when the loss divides by the batch's token count)."""

    def __init__(self):
        self.scale = 1.0

    def __call__(self, output: Any):
        loss = output["loss"] if isinstance(output, dict) or hasattr(output, "keys") else output[0]
        if loss is None:
            raise ValueError("noisescope_torch: the model returned no loss; pass labels in the batch")
        return loss * self.scale


class NoiseScopeHFCallback(TrainerCallback):
    """Records every ``every`` optimizer steps into ``log_dir``. Other keyword
    arguments go to :class:`NoiseRecorder` (``micro_batches``, ``micro_samples``,
    ``per_layer``, ``groups``, ``dataset_size``, ``overwrite``, ...)."""

    def __init__(self, log_dir: str, every: int = 10, **recorder_kwargs: Any):
        self.log_dir, self.every, self.kwargs = log_dir, every, recorder_kwargs
        self.recorder: Optional[NoiseRecorder] = None
        self._inputs: Optional[Dict[str, Any]] = None
        self._handle = None

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            raise NotImplementedError("noisescope_torch: NoiseScopeHFCallback records one process only; under DDP "
                                      "use NoiseRecorder(ddp_model, ...) in your own training loop")
        if args.max_grad_norm and args.max_grad_norm > 0:
            raise ValueError(f"noisescope_torch: TrainingArguments.max_grad_norm={args.max_grad_norm} clips .grad "
                             f"before the callback sees it; set max_grad_norm=0 to record noise")
        if args.gradient_accumulation_steps != 1:
            raise ValueError("noisescope_torch: NoiseScopeHFCallback needs gradient_accumulation_steps=1")
        self._loss = _HFLoss()
        self.recorder = NoiseRecorder(model, self.log_dir, every=self.every, loss_fn=self._loss, **self.kwargs)

        def keep(module, args_, kwargs_):
            if module.training and not self._busy:
                self._inputs = dict(kwargs_)
        self._busy = False
        self._handle = model.register_forward_pre_hook(keep, with_kwargs=True)

    def on_pre_optimizer_step(self, args, state, control, **kwargs):
        if self.recorder is None:
            return
        self._busy = True          # the recorder's own forwards are not training inputs
        if self._inputs is not None and self.recorder.will_record_next:
            from .._grads import batch_length
            batch = batch_length(self._inputs)
            scaled = self._inputs.get("num_items_in_batch") is not None
            self._loss.scale = batch / (batch // self.recorder.micro_batches) if scaled else 1.0
        try:
            self.recorder.step(state.global_step, inputs=self._inputs)
        finally:
            self._busy = False

    def on_train_end(self, args, state, control, **kwargs):
        if self._handle is not None:
            self._handle.remove()
            self._handle = None
        if self.recorder is not None:
            self.recorder.close()
