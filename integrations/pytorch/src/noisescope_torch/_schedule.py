"""When NoiseRecorder records, and what its sample size means for the verdict.

``noisescope check`` commits to a verdict from n >= 500 noise samples, says
``light`` only from n >= 5,000 and ``heavy`` or ``infinite-variance`` only from
n >= 10,000. With per-example noise a recorded step of B examples gives B
samples, so the default schedule records every step until 10,000 samples are
in, then every 10th step: a run of about 300 steps at batch 32 reaches the
sample size at which every verdict can commit, and a long run pays for
recording on about a tenth of its steps. ``every=k`` records every
k-th step instead, from the start.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional

# Samples the verdict needs to commit at all, to say light, to say heavy or infinite-variance
# (noisescope's TailVerdictRule: minimumSamples, minimumForLight, minimumForHeavy = minimumForInfiniteVariance).
COMMIT, LIGHT, POWER_LAW = 500, 5000, 10000
DENSE_SAMPLES, THEN_EVERY = POWER_LAW, 10
DENSE_SKIPS = 10                   # skipped recording steps after which the dense phase ends all the same


class Schedule:
    """``every`` None: dense until ``DENSE_SAMPLES``, then every ``THEN_EVERY``
    steps (``dense`` False: every ``THEN_EVERY`` steps from the start, for
    recorders that get one or a few samples per step); else every ``every`` steps
    (checked by ``RecorderConfig``: at least 1)."""

    def __init__(self, every: Optional[int], dense: bool):
        self.fixed = None if every is None else int(every)
        self.dense = dense and self.fixed is None
        self.reached: Dict[int, int] = {}        # target -> step at which it was reached
        self.skips = 0                           # recording steps that gave no sample (skipped)

    @property
    def every(self) -> int:
        """The interval outside the dense phase (the manifest's ``every``)."""
        return self.fixed if self.fixed is not None else THEN_EVERY

    def due(self, step: int, samples: int) -> bool:
        if self.dense and samples < DENSE_SAMPLES and self.skips < DENSE_SKIPS:
            return True
        return step % self.every == 0

    def skipped(self) -> None:
        """A recording step that gave no sample: the dense phase also ends
        after ``DENSE_SKIPS`` of them (a model whose every step is skipped
        would otherwise be recorded, and pay for it, at every step)."""
        self.skips += 1

    def note(self, step: int, samples: int) -> None:
        for target in (COMMIT, LIGHT, POWER_LAW):
            if samples >= target and target not in self.reached:
                self.reached[target] = step

    def manifest(self) -> Dict[str, Any]:
        if self.dense:
            return {"kind": "dense-then-every", "dense_samples": DENSE_SAMPLES, "every": self.every}
        return {"kind": "every", "dense_samples": None, "every": self.every}

    def forecast(self, samples: int, last_step: Optional[int], per_step: float) -> List[str]:
        """What the sample size allows, in words: one line per verdict threshold."""
        lines = []
        for target, what in ((COMMIT, "to commit to a verdict"), (LIGHT, "for 'light'"),
                             (POWER_LAW, "for 'heavy' or 'infinite-variance'")):
            if samples >= target:
                lines.append(f"{target:,} samples {what}: reached at step {self.reached.get(target, last_step)}")
            elif last_step is None or per_step <= 0:
                lines.append(f"{target:,} samples {what}: none recorded yet")
            else:
                records = math.ceil((target - samples) / per_step)
                interval = 1 if self.dense and samples < DENSE_SAMPLES and self.skips < DENSE_SKIPS else self.every
                every = "every step" if interval == 1 else f"every {interval} steps"
                lines.append(f"{target:,} samples {what}: {samples:,} so far; at this rate ({per_step:.3g} per "
                             f"recorded step, {every}) about step {last_step + records * interval:,}")
        return lines
