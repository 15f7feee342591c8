"""noisescope_torch: gradient-noise statistics from PyTorch training loops
(single process or torch.distributed / DDP), logged for ``noisescope check``.

    from noisescope_torch import NoiseRecorder
    recorder = NoiseRecorder(model, log_dir="runs/noise", every=10, loss_fn=loss_fn)
    for step, (x, y) in enumerate(loader):
        loss = loss_fn(model(x), y); loss.backward()
        recorder.step(step, inputs=x, targets=y)   # after backward, before optimizer.step()
        optimizer.step(); optimizer.zero_grad()
    recorder.close()
"""

__version__ = "0.1.0"

from ._dist import RankMismatchError
from .check import CheckFailed, CheckResult, NoisescopeNotFound, check
from ._io import SCHEMA, NoiseLog, SchemaError, read_log, read_npy_strict
from .estimates import TwoBatchEMA, two_batch_estimates
from .measure import Measurement, measure_noise, minibatch_schedule, supervised_loss
from ._records import merge_rank_norms
from .recorder import NoiseRecorder, RecorderConfig
from .recommend import Recommendation, recommend

__all__ = [
    "SCHEMA", "NoiseRecorder", "RecorderConfig", "measure_noise", "Measurement", "supervised_loss",
    "minibatch_schedule", "read_log", "read_npy_strict", "NoiseLog", "merge_rank_norms", "SchemaError",
    "RankMismatchError", "two_batch_estimates", "TwoBatchEMA", "check", "recommend", "Recommendation", "CheckResult",
    "CheckFailed", "NoisescopeNotFound", "__version__",
]
