"""The trainer callbacks send the scalars of scalars.py through the trainers'
own loggers: Hugging Face through ``trainer.log`` to ``report_to``
TensorBoard and W&B (offline: WANDB_MODE=offline, its run file read back; no
network), Lightning through its TensorBoardLogger. Every window's numbers are
checked against the same numbers computed from the noise log (float32 in
TensorBoard: 1e-6; W&B keeps float64: 1e-12), the verdict's against a
stand-in binary. Skipped, with the reason, only where a framework or
logger package is not installed."""

import os
import sys

import pytest
import torch

from _scalar_logs import STAND_IN, expected_windows, fake_binary, tensorboard_scalars, wandb_history
from test_integrations import need, tiny_gpt2


def test_hf_trainer_reports_scalars_to_tensorboard_and_wandb(tmp_path, monkeypatch):
    need("transformers", "transformers")
    need("tensorboard", "tensorboard")
    need("wandb", "wandb")
    import wandb
    from transformers import Trainer, TrainingArguments
    from noisescope_torch.integrations.hf import NoiseScopeHFCallback

    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.setenv("TENSORBOARD_LOGGING_DIR", str(tmp_path / "tb"))
    monkeypatch.setenv("NOISESCOPE_BIN", fake_binary(tmp_path))
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 32, (8, 12), generator=g)
    data = [{"input_ids": row, "labels": row} for row in ids]
    args = TrainingArguments(output_dir=str(tmp_path / "out"), max_steps=6, per_device_train_batch_size=8,
                             report_to=["tensorboard", "wandb"], save_strategy="no", logging_strategy="no",
                             use_cpu=True, dataloader_num_workers=0, disable_tqdm=True, run_name="scalars")
    callback = NoiseScopeHFCallback(str(tmp_path / "noise"),
                                    scalars={"window": 2, "verdict_every": 4, "background": False})
    trainer = Trainer(model=tiny_gpt2(), args=args, train_dataset=data, callbacks=[callback])
    try:
        trainer.train()
    finally:
        wandb.finish()
    assert callback.trainer is trainer                       # found among the callers
    want = expected_windows(str(tmp_path / "noise"), 2)
    assert [s for s, _ in want] == [1, 3, 5]
    board = tensorboard_scalars(tmp_path / "tb")
    rows = wandb_history(tmp_path)
    by_step = {}
    for row in rows:
        by_step.setdefault(row["train/global_step"], {}).update(row)
    for step, values in want:
        for key, value in values.items():
            tag = "train/noisescope/" + key                  # report_to integrations prefix "train/"
            assert board[tag][step] == pytest.approx(value, rel=1e-6), (tag, step)
            assert by_step[step][tag] == pytest.approx(value, rel=1e-12), (tag, step)
    assert set(k for k in board if "/share/" in k) == \
        {f"train/noisescope/share/{g}" for g in ("embeddings", "attention", "mlp", "norms")}
    # The verdict: after the 4th recorded step (window of steps 2-3) and on the whole run at the last step.
    assert board["train/noisescope/verdict_code"] == {3: 1.0, 5: 1.0}
    assert board["train/noisescope/alpha"] == {3: 3.5, 5: 3.5} and board["train/noisescope/alpha_high"][5] == 4.75
    assert by_step[5]["train/noisescope/verdict_samples"] == STAND_IN["n"]
    assert (tmp_path / "fake-args.txt").read_text().splitlines() == \
        [f"check {tmp_path / 'noise'} --json --bootstrap 0"] * 2
    history = [h for h in trainer.state.log_history if "noisescope/noise_q99" in h]
    assert [h["step"] for h in history] == [1, 3, 5]


def test_lightning_logs_scalars_through_its_logger(tmp_path, monkeypatch):
    need("lightning", "lightning")
    need("tensorboard", "tensorboard")
    import lightning.pytorch as pl
    from lightning.pytorch.loggers import TensorBoardLogger
    from noisescope_torch.integrations.lightning import NoiseScopeLightningCallback

    monkeypatch.setenv("NOISESCOPE_BIN", fake_binary(tmp_path, verdict="light"))
    g = torch.Generator().manual_seed(2)
    x = torch.randn(64, 5, generator=g, dtype=torch.float64)
    y = torch.randn(64, 2, generator=g, dtype=torch.float64) * 3

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.embed, self.mlp, self.head = (torch.nn.Linear(5, 7).double(), torch.nn.Linear(7, 7).double(),
                                               torch.nn.Linear(7, 2).double())

        def training_step(self, batch, batch_idx):
            out = self.head(torch.tanh(self.mlp(torch.tanh(self.embed(batch[0])))))
            return torch.nn.functional.mse_loss(out, batch[1])

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.05)

    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8, shuffle=False)
    logger = TensorBoardLogger(str(tmp_path / "tb"), name="run", version=0)
    callback = NoiseScopeLightningCallback(str(tmp_path / "noise"),
                                           scalars={"window": 3, "verdict_every": 3, "background": False})
    trainer = pl.Trainer(max_steps=7, accelerator="cpu", devices=1, logger=logger, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False, callbacks=[callback])
    trainer.fit(Module(), loader)
    want = expected_windows(str(tmp_path / "noise"), 3)
    assert [s for s, _ in want] == [2, 5, 6]                  # the last window (step 6) at close
    board = tensorboard_scalars(tmp_path / "tb")
    for step, values in want:
        for key, value in values.items():
            assert board["noisescope/" + key][step] == pytest.approx(value, rel=1e-6), (key, step)
    assert set(k for k in board if "/share/" in k) == {f"noisescope/share/{g}" for g in ("embeddings", "mlp", "head")}
    assert board["noisescope/verdict_code"] == {2: 0.0, 5: 0.0, 6: 0.0}     # light; every 3 recorded steps, close
