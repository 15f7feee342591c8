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
loss is rescaled by B / b (exact without padding).

Several processes (``torchrun``/``accelerate launch``): the recorder wraps the
Trainer's DDP model (``trainer.model_wrapped``), so the per-example samples of
every rank are taken against the all-reduced gradient and gathered on rank 0,
as with NoiseRecorder in a DDP loop; ``batch_size`` is
``per_device_train_batch_size * gradient_accumulation_steps``. Other wrappers
(DeepSpeed, FSDP through the Trainer) are refused in one line.

Scalars (``scalars.py``): every ``window`` recorded steps the callback sends
the noise's quantiles, B_simple EMA, the layer groups' shares and, every
``verdict_every`` recorded steps, the tail verdict through ``trainer.log``,
so they reach every ``report_to`` integration (TensorBoard, W&B, ...; these
prefix ``train/``) and ``state.log_history``. The callback finds its Trainer
among its callers at ``on_train_begin`` (``trainer=`` names it instead).
Without a ``report_to`` integration nothing is computed; ``scalars=False``
switches them off, a dict passes options to :class:`NoiseScalars`. At the
last step (``max_steps``) the recorder is closed and a verdict on the whole
run is logged, while the integrations are still open.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple, Union

try:
    from transformers import TrainerCallback
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError("noisescope_torch.integrations.hf needs transformers: pip install transformers") from None

import torch
import torch.distributed as dist
from torch.utils.hooks import RemovableHandle

if TYPE_CHECKING:
    from transformers import TrainerControl, TrainerState, TrainingArguments

from .._params import is_ddp
from .._per_example import why_not_per_example
from ..recorder import NoiseRecorder
from ..scalars import NoiseScalars

__all__ = ["NoiseScopeHFCallback"]


class _HFLoss:
    """``output.loss`` times ``scale`` (B / b when the loss divides by the batch's token count)."""

    def __init__(self) -> None:
        self.scale = 1.0

    def __call__(self, output: Any) -> torch.Tensor:
        loss = output["loss"] if isinstance(output, dict) or hasattr(output, "keys") else output[0]
        if loss is None:
            raise ValueError("noisescope_torch: the model returned no loss; pass labels in the batch")
        scaled: torch.Tensor = loss * self.scale
        return scaled


def find_trainer(callback: Any) -> Any:
    """The Trainer whose callback handler holds ``callback``, found among the
    callers' frames (a callback is given no reference to its Trainer), or None."""
    frame = inspect.currentframe()
    try:
        while frame is not None:
            handler = getattr(frame.f_locals.get("self"), "callback_handler", None)
            if handler is not None and any(cb is callback for cb in getattr(handler, "callbacks", ())):
                return frame.f_locals["self"]
            frame = frame.f_back
    finally:
        del frame
    return None


# Without transformers installed the base class is Any to the type checker (ignore_missing_imports, pyproject).
class NoiseScopeHFCallback(TrainerCallback):  # type: ignore[misc, unused-ignore]
    """Records into ``log_dir`` (``every``: None for the recorder's default
    schedule). ``scalars``: True (default), False, or options of
    :class:`NoiseScalars` (``window``, ``verdict_every``, ...); ``trainer``:
    the Trainer (default: found at ``on_train_begin``). Other keyword
    arguments go to :class:`NoiseRecorder` (``micro_batches``, ``per_layer``,
    ``groups``, ``dataset_size``, ``overwrite``, ...)."""

    def __init__(self, log_dir: str, every: Optional[int] = None, *, scalars: Union[bool, Dict[str, Any]] = True,
                 trainer: Any = None, **recorder_kwargs: Any):
        self.log_dir, self.every, self.kwargs = log_dir, every, recorder_kwargs
        self.scalar_options = scalars
        self.trainer = trainer
        self.recorder: Optional[NoiseRecorder] = None
        self.scalars: Optional[NoiseScalars] = None
        self._inputs: Optional[Dict[str, Any]] = None
        self._handle: Optional[RemovableHandle] = None
        self._loss: Optional[_HFLoss] = None

    def on_train_begin(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                       model: Optional[torch.nn.Module] = None, **kwargs: Any) -> None:
        if model is None:
            raise ValueError("noisescope_torch: NoiseScopeHFCallback.on_train_begin was given no model (the Trainer "
                             "passes it)")
        self.trainer = self.trainer or find_trainer(self)
        self.recorder = self._recorder(args, model)
        reporting = [r for r in (args.report_to or []) if r != "none"]
        if self.scalar_options is not False and reporting:
            options = self.scalar_options if isinstance(self.scalar_options, dict) else {}
            self.scalars = NoiseScalars(self.recorder, **options)

    def _recorder(self, args: TrainingArguments, model: torch.nn.Module) -> NoiseRecorder:
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            wrapped = getattr(self.trainer, "model_wrapped", None)
            if wrapped is None:
                raise ValueError("noisescope_torch: under several processes NoiseScopeHFCallback needs the Trainer's "
                                 "DDP model and could not find its Trainer: pass NoiseScopeHFCallback(..., "
                                 "trainer=trainer) (trainer.add_callback after building the Trainer)")
            if not is_ddp(wrapped):
                raise NotImplementedError(f"noisescope_torch: NoiseScopeHFCallback under several processes records a "
                                          f"DistributedDataParallel model; the Trainer wrapped it in "
                                          f"{type(wrapped).__name__}")
            batch = args.per_device_train_batch_size * args.gradient_accumulation_steps
            return NoiseRecorder(wrapped, self.log_dir, every=self.every, **{"batch_size": batch, **self.kwargs})
        why = why_not_per_example(model) if self.kwargs.get("per_example", True) else "per_example=False"
        if why is None:
            return NoiseRecorder(model, self.log_dir, every=self.every, **self.kwargs)
        # No per-example gradients (BatchNorm): micro-batch gradients recomputed from the kept inputs.
        if args.max_grad_norm and args.max_grad_norm > 0:
            raise ValueError(f"noisescope_torch: no per-example noise ({why}), and micro-batch noise needs the "
                             f"unclipped .grad: set TrainingArguments.max_grad_norm=0")
        if args.gradient_accumulation_steps != 1:
            raise ValueError(f"noisescope_torch: no per-example noise ({why}), and micro-batch noise needs "
                             f"gradient_accumulation_steps=1")
        self._loss = _HFLoss()
        recorder = NoiseRecorder(model, self.log_dir, every=self.every, loss_fn=self._loss, **self.kwargs)

        def keep(module: torch.nn.Module, args_: Tuple[Any, ...], kwargs_: Dict[str, Any]) -> None:
            if module.training and not self._busy:
                self._inputs = dict(kwargs_)
        self._busy = False
        self._handle = model.register_forward_pre_hook(keep, with_kwargs=True)
        return recorder

    def _log(self, values: Optional[Dict[str, float]]) -> None:
        """The scalars through ``trainer.log``: every report_to integration and
        state.log_history, at the window's last recorded step (with several
        ranks a record completes one step later: the Trainer's step counter is
        set to the recorded step for this one call, then restored)."""
        if not values or self.trainer is None or self.scalars is None:
            return
        state, step = self.trainer.state, self.scalars.last_step
        current = state.global_step
        state.global_step = current if step is None else step
        try:
            self.trainer.log(dict(values))
        finally:
            state.global_step = current

    def on_pre_optimizer_step(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                              **kwargs: Any) -> None:
        if self.recorder is None or self.recorder.closed:
            return
        if self._loss is None:
            record = self.recorder.step(state.global_step)
        else:
            self._busy = True          # the recorder's own forwards are not training inputs
            if self._inputs is not None and self.recorder.will_record_next:
                from .._grads import batch_length
                batch = batch_length(self._inputs)
                scaled = self._inputs.get("num_items_in_batch") is not None
                self._loss.scale = batch / (batch // self.recorder.micro_batches) if scaled else 1.0
            try:
                record = self.recorder.step(state.global_step, inputs=self._inputs)
            finally:
                self._busy = False
        if self.scalars is not None:
            self._log(self.scalars.update(record))
        if state.max_steps and state.global_step + 1 >= state.max_steps:
            self._close()      # the last step: its record, a verdict on the whole run, while loggers are open

    def on_train_end(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                     **kwargs: Any) -> None:
        self._close()

    def _close(self) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None
        if self.scalars is not None:
            self._log(self.scalars.close())        # closes the recorder
            self.scalars = None
        elif self.recorder is not None:
            self.recorder.close()
