"""What a recording step computes, per mode (a part of NoiseRecorder, kept
apart for size): the construction-time checks of one process, this rank's
row from ``.grad`` (several ranks without DDP; one process with a reference),
per-example norms over ranks, and one process's micro-batch rows, from the
per-example statistics or recomputed (``_grads.py``), FSDP2's rows from the
examples' shares, and a step's record from the rows. The attributes are
NoiseRecorder's (``recorder.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.distributed as dist

from ._dist import comm_device
from ._exchange import Pending, gathered_rows, launch, row_from_grads, row_from_shares
from ._grads import LossFn, batch_length, check_micro_config, loss_adds_examples, micro_batch_rows
from ._params import flatten_like
from ._records import make_record, unequal_batches
from ._rules import FunctionalRule
from ._schedule import Schedule

if TYPE_CHECKING:
    from ._files import TrainFiles
    from ._layers import LayerStats
    from ._per_example import OwnSums, PerExample
    from .estimates import TwoBatchEMA


def full_gradient(grad: Optional[torch.Tensor]) -> Optional[torch.Tensor]:
    """A gradient as one ordinary tensor: a sharded DTensor gathered whole (a collective)."""
    if grad is not None and hasattr(grad, "full_tensor"):
        whole: torch.Tensor = grad.full_tensor()
        return whole
    return grad


class RecordingSteps:
    """NoiseRecorder's per-mode steps (a mixin: it uses the recorder's state)."""

    # The recorder's state these steps use (set by NoiseRecorder.__init__, recorder.py).
    loss_fn: Optional[LossFn]
    batch_size: Optional[int]
    dataset_size: Optional[int]
    micro_batches: int
    micro_samples: int
    per_example_reason: Optional[str]
    log_dir: str
    rank: int
    world_size: int
    group: Optional[dist.ProcessGroup]
    _module: torch.nn.Module
    _params: List[torch.nn.Parameter]
    _device: torch.device
    _layers: Optional[LayerStats]
    _reference: Optional[torch.Tensor]
    _pe: Optional[PerExample]
    _pending: Optional[Pending]
    _schedule: Schedule
    _files: TrainFiles
    _ema: TwoBatchEMA
    _probed: bool
    _seen_batch: Optional[int]
    _next_step: int

    if TYPE_CHECKING:
        @property
        def _samples(self) -> int: ...

        def _warn_once(self, key: str, message: str) -> None: ...

    def _check_one_process(self) -> None:
        """One process: the construction-time refusals, in one line each."""
        if self._pe is None:
            try:
                check_micro_config(self.loss_fn, self.micro_batches, self.micro_samples, self.batch_size)
            except ValueError as error:
                raise ValueError(f"{error}" + (f" ({self.per_example_reason})" if self.per_example_reason else "")) \
                    from None
            return
        check_micro_config(self.loss_fn or (lambda *a: None), self.micro_batches, self.micro_samples, None)
        if self.batch_size == 1:
            raise ValueError("noisescope_torch: batch_size=1: one example has no noise within its batch "
                             "(g_1 - gbar = 0); record batches of at least 2 examples")

    def _grads_row(self, b: Optional[int], means: Optional[List[torch.Tensor]] = None) -> torch.Tensor:
        return row_from_grads(self._params, self._device, self._layers, b, self.group, self.world_size,
                              self._reference, means)

    def _unclipped_mean(self, mean_sq: float) -> List[Optional[torch.Tensor]]:
        """Under DDP: the all-reduced gradient as backward left it. A trainer
        may have clipped ``.grad`` before ``step()`` (the Hugging Face Trainer
        does); clipping by norm scales every tensor by one factor, which the
        comm hook's |gbar|^2 (seen during backward) gives back."""
        grads = [p.grad for p in self._params]
        present = [g.to_dense() if g.is_sparse else g for g in grads if g is not None]
        if not present or not mean_sq > 0:
            return grads
        held = float(torch.stack(torch._foreach_norm(present)).double().square().sum())
        factor = (held / mean_sq) ** 0.5
        if self._pe is not None and factor < 1 - self._pe.tolerance:     # called with per-example noise only
            self._pe.clipped_steps += 1
            return [None if g is None else g / factor for g in grads]
        return grads

    def _check_fsdp(self) -> None:
        """fully_shard (FSDP2): the construction-time refusals, in one line each."""
        if self.world_size == 1:
            raise ValueError("noisescope_torch: a fully_shard (FSDP2) module in one process shards nothing; "
                             "record the module without fully_shard")
        if self._pe is None:
            raise ValueError(f"noisescope_torch: under fully_shard (FSDP2) NoiseRecorder records per-example noise "
                             f"only (no rank's local gradient is ever formed), and {self.per_example_reason}")
        functional = [name or "the model" for name, rule in self._pe.capture.rules if isinstance(rule, FunctionalRule)]
        if functional:
            raise ValueError(f"noisescope_torch: under fully_shard (FSDP2) per-example noise needs every module to "
                             f"have its own rule; {functional[0]} would need torch.func on sharded parameters")

    def _fsdp_step(self, s: int, b: Optional[int]) -> None:
        """Several FSDP2 ranks, a recording step (collectives, the same on
        every rank): gbar is the reduced, sharded ``.grad``, gathered whole per
        tensor; each rank's examples' shares come from its own activations
        and output gradients; this rank's row (|g_r - gbar|, ...) from its
        shares, since no local gradient is formed."""
        assert self._pe is not None, "fully_shard is refused without per-example noise (_check_fsdp)"
        means = [full_gradient(p.grad) for p in self._params]
        own: List[Optional[OwnSums]] = []
        examples, why = self._pe.ranks(self.group, self.world_size, means, own)
        row = row_from_shares(own[0], b, self._layers is not None, len(self._params), comm_device(self.group))
        self._pending = launch(s, row, self.group, self.world_size)
        if examples is None:
            self._warn_once(f"examples:{why}", f"noisescope_torch: step {s}: no per-example noise ({why})")
            return
        if self._pending is not None:            # several ranks: always
            self._pending.examples = examples
        self._schedule.note(s, self._samples)

    def _ranks_examples(self, s: int, mean: Sequence[Optional[torch.Tensor]]) -> None:
        """Several ranks, a recording step: every rank's per-example norms,
        attached to the step's pending record (a collective)."""
        if self._pe is None or self._pending is None:
            return
        examples, why = self._pe.ranks(self.group, self.world_size, mean)
        if examples is None:
            self._warn_once(f"examples:{why}", f"noisescope_torch: step {s}: no per-example noise ({why})")
            return
        self._pending.examples = examples
        self._schedule.note(s, self._samples)

    def _one_process(self, s: int, inputs: Any,
                     targets: Any) -> Tuple[Optional[List[List[float]]], Optional[np.ndarray]]:
        """(rows, per-example norms or None) of a recording step in one process,
        or (None, None) when the step is skipped (with a warning)."""
        if not self._probed and self.loss_fn is not None and inputs is not None:
            self._probed = True
            if loss_adds_examples(self._module, self.loss_fn, inputs, targets):
                raise ValueError("noisescope_torch: loss_fn adds up the examples' losses (reduction='sum'?); "
                                 "NoiseRecorder needs the mean loss of the batch, the one whose backward filled .grad")
        if self._pe is None:
            return self._micro_rows(s, inputs, targets).cpu().tolist(), None
        first = self._pe.steps == 0
        given = None
        if inputs is not None:
            try:
                given = batch_length(inputs)
            except TypeError:
                pass
        expected = self.batch_size if self.batch_size is not None else given
        examples, rows, why, kind = self._pe.one_process(self.micro_batches, self.micro_samples,
                                                         self._layers is not None, expected)
        if examples is not None and rows is not None:       # both or neither
            self._seen_batch = self._seen_batch or len(examples)
            self._schedule.note(s, self._samples)
            return rows.cpu().tolist(), examples
        # before any per-example step, a failure that will recur on every step (a module that does not see the
        # batch, dropout in a torch.func module, the batch not dimension 0) or shares that do not add up to .grad:
        # micro-batch noise instead, when the inputs' dimension 0 is the batch and it can be cut into micro-batches
        recurring = kind == "batch" or (kind == "failed" and self._pe.capture_failed)
        m = min(self.micro_batches, given or 0)
        usable = given is not None and m >= 2 and (self.batch_size is None or given == self.batch_size)
        if first and (recurring or kind == "inconsistent") and self.loss_fn is not None and usable:
            self.per_example_reason = f"per-example noise switched off at step {s}: {why}"
            self._warn_once("per-example", f"noisescope_torch: {self.per_example_reason}; recording micro-batch "
                            f"noise instead")
            self._pe.capture.remove()
            self._pe, self._files.per_example = None, False
            self._schedule = Schedule(self._schedule.fixed, dense=False)
            self.micro_batches, self.micro_samples = m, min(self.micro_samples, m)
            try:
                return self._micro_rows(s, inputs, targets).cpu().tolist(), None
            except Exception as error:      # never break training: the step is not recorded
                self._warn_once("micro", f"noisescope_torch: step {s} not recorded: micro-batch noise failed: "
                                f"{error!r}")
                return None, None
        self._pe.skip_reason = f"step {s}: {why}"
        self._schedule.skipped()
        self._warn_once(f"examples:{kind}", f"noisescope_torch: step {s} not recorded: {why} (such steps are "
                        f"counted in the manifest)")
        return None, None

    def _finish_pending(self) -> Optional[Dict[str, Any]]:
        pending, self._pending = self._pending, None
        if pending is None:
            return None
        return self._complete(pending.step, gathered_rows(pending), pending.examples)

    def _complete(self, s: int, rows: List[List[float]],
                  examples: Optional[np.ndarray] = None) -> Optional[Dict[str, Any]]:
        """Turns the rows of a recording step into its record; writes it (rank 0)
        and this rank's samples."""
        if not all(r[0] == 1.0 for r in rows):
            bad = [i for i, r in enumerate(rows) if r[0] != 1.0]
            self._warn_once("invalid", f"noisescope_torch: step {s} not recorded: rank(s) {bad} had no complete "
                            f"local gradient")
            return None
        if self.world_size > 1 and unequal_batches(rows):
            self._warn_once("unequal", f"noisescope_torch: local batch sizes differ across ranks "
                            f"{[r[4] for r in rows]}; the two-batch estimates need equal ones and are null for such "
                            f"steps")
        record, own, merged = make_record(s, self._files.records, rows, self.rank, self.world_size, self._ema,
                                          self.dataset_size)
        if self._layers is not None and self.rank == 0:
            self._layers.add_fields(record, rows, len(merged))
        if self._pe is not None:
            record["examples"] = 0 if examples is None else len(examples)
        self._files.add(record, own, merged, examples)
        return record

    def _sample_summary(self) -> str:
        """What ``close()`` says: the sample size against what the verdict needs."""
        last = self._next_step - 1 if self._files.records else None
        if self._pe is not None:
            n, steps, what = len(self._files.examples), self._pe.steps, "per-example noise samples"
        else:
            n, steps, what = len(self._files.merged if self.world_size > 1 else self._files.own), \
                self._files.records, "noise samples"
        lines = [f"noisescope_torch: {n:,} {what} from {steps:,} recorded step{'' if steps == 1 else 's'} in "
                 f"{self.log_dir}"]
        lines += ["  " + line for line in self._schedule.forecast(n, last, n / steps if steps else 0.0)]
        return "\n".join(lines)

    def _micro_rows(self, s: int, inputs: Any, targets: Any) -> torch.Tensor:
        if inputs is None:
            raise ValueError(f"noisescope_torch: step {s} is a recording step and one process measures noise from "
                             f"micro-batches of the batch: call recorder.step(step, inputs=x, targets=y)")
        assert self.loss_fn is not None, "micro-batch noise is never set up without loss_fn (_check_one_process)"
        grads = flatten_like([p.grad for p in self._params], self._params, self._device)
        rows = micro_batch_rows(self._module, self._params, self.loss_fn, inputs, targets, self.micro_batches,
                                self.micro_samples, grads, None if self._layers is None else self._layers.sizes)
        if self._seen_batch is None:
            self._seen_batch = batch_length(inputs)
        return rows
