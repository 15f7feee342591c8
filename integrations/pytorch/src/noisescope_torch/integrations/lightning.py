"""``NoiseScopeLightningCallback``: a Lightning ``Callback`` that records
gradient noise with a NoiseRecorder (docs/extensions.md).

    from noisescope_torch.integrations.lightning import NoiseScopeLightningCallback
    trainer = L.Trainer(callbacks=[NoiseScopeLightningCallback("runs/noise")])

The callback calls ``recorder.step`` at ``on_before_optimizer_step``: after
backward (and after every micro-batch of ``accumulate_grad_batches``), before
Lightning clips (``gradient_clip_val``) and steps. Per-example noise (the
default, where the model allows it) is captured by module hooks during
Lightning's own backward passes, so ``gradient_clip_val`` changes nothing and
with ``accumulate_grad_batches > 1`` the examples of all micro-batches of an
optimizer step are one batch. Several processes (strategy "ddp"): the recorder
wraps ``trainer.strategy.model``, the DDP module.

Where per-example gradients are not defined (BatchNorm) and in one process,
the callback keeps the batch (``on_train_batch_start``) and recomputes
micro-batch gradients as ``loss_fn(pl_module(inputs), targets)`` with
``(inputs, targets) = split(batch)`` (default: ``batch[0], batch[1]``);
``loss_fn`` must then be the mean loss that ``training_step`` returns, and
``accumulate_grad_batches > 1`` is refused.

Scalars (``scalars.py``): every ``window`` recorded steps the noise's
quantiles, B_simple EMA, the layer groups' shares and, every
``verdict_every`` recorded steps, the tail verdict go to every logger of
the Trainer (``trainer.loggers``, ``log_metrics`` at the window's last
recorded step; on rank 0), unthrottled by ``log_every_n_steps``; at the end
of training a last window with a verdict on the whole run. Without a logger
(``logger=False``) nothing is computed. ``scalars=False``
switches them off, a dict passes options to :class:`NoiseScalars`.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple, Union

try:
    import lightning.pytorch as pl
except ImportError:  # pragma: no cover - depends on the environment
    try:
        import pytorch_lightning as pl  # type: ignore[no-redef, unused-ignore]  # Lightning's former name, same API
    except ImportError:
        raise ImportError("noisescope_torch.integrations.lightning needs Lightning: pip install lightning") from None

from torch.optim import Optimizer

from .._grads import LossFn
from .._params import is_ddp
from .._per_example import why_not_per_example
from ..recorder import NoiseRecorder
from ..scalars import NoiseScalars

__all__ = ["NoiseScopeLightningCallback"]

# split(batch) -> (inputs, targets)
Split = Callable[[Any], Tuple[Any, Any]]


def _default_split(batch: Any) -> Tuple[Any, Any]:
    if isinstance(batch, (tuple, list)) and len(batch) >= 2:
        return batch[0], batch[1]
    raise ValueError("noisescope_torch: the batch is not (inputs, targets, ...); pass split=lambda batch: (x, y)")


# Without Lightning installed the base class is Any to the type checker (ignore_missing_imports, pyproject).
class NoiseScopeLightningCallback(pl.Callback):  # type: ignore[misc, unused-ignore]
    """Records into ``log_dir`` (``every``: None for the recorder's default
    schedule). Other keyword arguments go to :class:`NoiseRecorder`
    (``micro_batches``, ``per_layer``, ``groups``, ``dataset_size``,
    ``overwrite``, ...); ``scalars``: True (default), False, or options of
    :class:`NoiseScalars` (``window``, ``verdict_every``, ...)."""

    def __init__(self, log_dir: str, every: Optional[int] = None, loss_fn: Optional[LossFn] = None,
                 split: Split = _default_split, *, scalars: Union[bool, Dict[str, Any]] = True,
                 **recorder_kwargs: Any):
        self.log_dir, self.every, self.loss_fn, self.split = log_dir, every, loss_fn, split
        self.kwargs = recorder_kwargs
        self.scalar_options = scalars
        self.recorder: Optional[NoiseRecorder] = None
        self.scalars: Optional[NoiseScalars] = None
        self._batch: Any = None

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.recorder = self._recorder(trainer, pl_module)
        if self.scalar_options is not False and trainer.loggers:
            options = self.scalar_options if isinstance(self.scalar_options, dict) else {}
            self.scalars = NoiseScalars(self.recorder, **options)

    def _log(self, trainer: pl.Trainer, values: Optional[Dict[str, float]]) -> None:
        if values and self.scalars is not None:
            for logger in trainer.loggers:
                logger.log_metrics(dict(values), step=self.scalars.last_step)

    def _recorder(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> NoiseRecorder:
        model = trainer.strategy.model
        if is_ddp(model):
            return NoiseRecorder(model, self.log_dir, every=self.every, **self.kwargs)
        why = why_not_per_example(pl_module) if self.kwargs.get("per_example", True) else "per_example=False"
        if why is None:
            return NoiseRecorder(pl_module, self.log_dir, every=self.every, loss_fn=self.loss_fn, **self.kwargs)
        if trainer.accumulate_grad_batches != 1:
            raise ValueError(f"noisescope_torch: no per-example noise ({why}), and micro-batch noise needs "
                             f"accumulate_grad_batches=1 in one process")
        if self.loss_fn is None:
            raise ValueError(f"noisescope_torch: no per-example noise ({why}): one process then needs "
                             f"NoiseScopeLightningCallback(..., loss_fn=) (loss_fn(pl_module(inputs), targets), "
                             f"the mean loss)")
        return NoiseRecorder(pl_module, self.log_dir, every=self.every, loss_fn=self.loss_fn, **self.kwargs)

    def on_train_batch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch: Any,
                             batch_idx: int) -> None:
        self._batch = batch

    def on_before_optimizer_step(self, trainer: pl.Trainer, pl_module: pl.LightningModule,
                                 optimizer: Optimizer) -> None:
        if self.recorder is None or self.recorder.closed:
            return
        if self.recorder.mode != "micro" or self._batch is None or self.loss_fn is None:
            record = self.recorder.step(trainer.global_step)
        else:
            inputs, targets = self.split(self._batch)
            record = self.recorder.step(trainer.global_step, inputs=inputs, targets=targets)
        if self.scalars is not None:
            self._log(trainer, self.scalars.update(record))

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.scalars is not None:
            self._log(trainer, self.scalars.close())          # closes the recorder
            self.scalars = None
        elif self.recorder is not None:
            self.recorder.close()
