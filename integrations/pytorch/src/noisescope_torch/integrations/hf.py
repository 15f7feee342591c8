"""``NoiseScopeHFCallback``: a ``transformers.TrainerCallback`` that records
gradient noise with a NoiseRecorder (one process; docs/extensions.md).

    from noisescope_torch.integrations.hf import NoiseScopeHFCallback
    trainer = Trainer(model, TrainingArguments(...), ..., callbacks=[NoiseScopeHFCallback("runs/noise")])

The Trainer's defaults work: per-example noise (the default, where the model
allows it) is captured by module hooks during the Trainer's own backward
passes, so

- ``max_grad_norm`` (default 1.0) changes nothing: the Trainer clips ``.grad``
  after backward, the samples are taken from the gradients before clipping
  (the manifest's ``per_example.gradients`` says so and ``clipped_steps``
  counts the steps that were clipped);
- with ``gradient_accumulation_steps > 1`` the examples of every micro-step of
  an optimizer step are one batch, against their common mean gradient.

The callback calls ``recorder.step`` at ``on_pre_optimizer_step``. Where
per-example gradients are not defined (BatchNorm), it falls back to
recomputing micro-batch gradients from the kept keyword inputs of the last
training forward (``model(**micro_batch).loss``); that path needs
``max_grad_norm=0`` and ``gradient_accumulation_steps=1`` and refuses others
in one line. When the Trainer passes ``num_items_in_batch`` the micro-batch's
loss is rescaled by B / b (exact without padding). Several processes: the
Trainer's DDP wrapper is not reachable from a callback; use NoiseRecorder with
your DDP model in your own loop.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

try:
    from transformers import TrainerCallback
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError("noisescope_torch.integrations.hf needs transformers: pip install transformers") from None

import torch.distributed as dist

from .._per_example import why_not_per_example
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
    """Records into ``log_dir`` (``every``: None for the recorder's default
    schedule). Other keyword arguments go to :class:`NoiseRecorder`
    (``micro_batches``, ``per_layer``, ``groups``, ``dataset_size``,
    ``overwrite``, ...)."""

    def __init__(self, log_dir: str, every: Optional[int] = None, **recorder_kwargs: Any):
        self.log_dir, self.every, self.kwargs = log_dir, every, recorder_kwargs
        self.recorder: Optional[NoiseRecorder] = None
        self._inputs: Optional[Dict[str, Any]] = None
        self._handle = None
        self._loss: Optional[_HFLoss] = None

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            raise NotImplementedError("noisescope_torch: NoiseScopeHFCallback records one process only; under DDP "
                                      "use NoiseRecorder(ddp_model, ...) in your own training loop")
        why = why_not_per_example(model) if self.kwargs.get("per_example", True) else "per_example=False"
        if why is None:
            self.recorder = NoiseRecorder(model, self.log_dir, every=self.every, **self.kwargs)
            return
        # No per-example gradients (BatchNorm): micro-batch gradients recomputed from the kept inputs.
        if args.max_grad_norm and args.max_grad_norm > 0:
            raise ValueError(f"noisescope_torch: no per-example noise ({why}), and micro-batch noise needs the "
                             f"unclipped .grad: set TrainingArguments.max_grad_norm=0")
        if args.gradient_accumulation_steps != 1:
            raise ValueError(f"noisescope_torch: no per-example noise ({why}), and micro-batch noise needs "
                             f"gradient_accumulation_steps=1")
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
        if self._loss is None:
            self.recorder.step(state.global_step)
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
