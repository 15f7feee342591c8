"""``NoiseScopeTensorBoard``: a NoiseRecorder's scalars (``scalars.py``) in a
``torch.utils.tensorboard.SummaryWriter``, for a training loop of your own.

    from torch.utils.tensorboard import SummaryWriter
    from noisescope_torch.integrations.tensorboard import NoiseScopeTensorBoard
    board = NoiseScopeTensorBoard(recorder, SummaryWriter("runs/tb"))
    for step, (x, y) in enumerate(loader):
        ...; loss.backward()
        board.update(recorder.step(step))     # the record step() returned, None or not
        optimizer.step(); optimizer.zero_grad()
    board.close()                             # closes the recorder too; a last verdict

Each window's scalars go to ``writer.add_scalar`` at the window's last
recorded step; the verdict's line (or why there is none) to
``writer.add_text("noisescope/verdict", ...)`` when it changes. With several
ranks call ``update`` and ``close`` on every rank: rank 0 writes.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from ..scalars import NoiseScalars

__all__ = ["NoiseScopeTensorBoard"]


class NoiseScopeTensorBoard:
    """Writes ``recorder``'s scalars into ``writer`` (a SummaryWriter, or
    anything with ``add_scalar(tag, value, step)`` and ``add_text(tag, text,
    step)``); other keyword arguments go to :class:`NoiseScalars` (``window``,
    ``verdict_every``, ``check_options``, ``background``, ``prefix``)."""

    def __init__(self, recorder: Any, writer: Any, **scalar_options: Any):
        self.writer = writer
        self.scalars = NoiseScalars(recorder, **scalar_options)

    def update(self, record: Optional[Dict[str, Any]]) -> Optional[Dict[str, float]]:
        """Feeds one step's record; writes and returns the scalars of a full window."""
        return self._write(self.scalars.update(record))

    def close(self) -> Optional[Dict[str, float]]:
        """Closes the recorder (if still open), writes the last window with a
        verdict on the whole run, and flushes the writer (it stays open)."""
        out = self._write(self.scalars.close())
        if self.scalars.active and hasattr(self.writer, "flush"):
            self.writer.flush()
        return out

    def _write(self, values: Optional[Dict[str, float]]) -> Optional[Dict[str, float]]:
        step = self.scalars.last_step
        if values:
            for tag, value in values.items():
                self.writer.add_scalar(tag, value, step)
        text = self.scalars.pop_text()
        if text is not None and step is not None:
            self.writer.add_text(self.scalars.prefix + "verdict", text, step)
        return values
