"""Functions that run inside spawned ranks for the trainer tests
(test_trainer_ranks.py): the Hugging Face Trainer under several processes
(the environment variables torchrun sets; accelerate starts gloo on CPU) and
Lightning under its "ddp" strategy (TorchElastic's variables: Lightning
launches nothing itself). Importable by name in the children."""

from __future__ import annotations

import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def torchrun_environment(rank: int, world: int, port: int) -> None:
    """What torchrun sets for a rank on one machine."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(world), GROUP_RANK="0",
                      TORCHELASTIC_RUN_ID="noisescope-test")
    torch.set_num_threads(1)
    if HERE not in sys.path:
        sys.path.insert(0, HERE)


def gpt2_data():
    """Eight sequences of 12 tokens (labels = inputs, no padding): the whole data set is one step's batch."""
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 32, (8, 12), generator=g)
    return [{"input_ids": row, "labels": row} for row in ids]


def hf_run(out_dir: str, per_device: int, accumulation: int, steps: int = 3) -> None:
    """The Trainer (defaults: AdamW, max_grad_norm 1.0) on a float64 tiny GPT-2, the callback's log in out_dir/noise."""
    from transformers import Trainer, TrainingArguments
    from noisescope_torch.integrations.hf import NoiseScopeHFCallback
    from test_integrations import tiny_gpt2

    os.environ["TENSORBOARD_LOGGING_DIR"] = os.path.join(out_dir, "tb")
    args = TrainingArguments(output_dir=os.path.join(out_dir, "out"), max_steps=steps,
                             per_device_train_batch_size=per_device, gradient_accumulation_steps=accumulation,
                             report_to=["tensorboard"], save_strategy="no", logging_strategy="no", use_cpu=True,
                             dataloader_num_workers=0, disable_tqdm=True, learning_rate=1e-3, seed=3)
    callback = NoiseScopeHFCallback(os.path.join(out_dir, "noise"), scalars={"window": 1, "verdict_every": 0})
    trainer = Trainer(model=tiny_gpt2(0.3).double(), args=args, train_dataset=gpt2_data(), callbacks=[callback])
    trainer.train()


def hf_worker(rank: int, world: int, port: int, out_dir: str) -> None:
    torchrun_environment(rank, world, port)
    hf_run(os.path.join(out_dir, "ranks"), per_device=4, accumulation=1)
    hf_run(os.path.join(out_dir, "ranks_accum"), per_device=2, accumulation=2)
    import torch.distributed as dist
    if dist.is_initialized():
        dist.destroy_process_group()


def lightning_run(out_dir: str, devices: int, per_device: int, strategy: str = "auto", steps: int = 3) -> None:
    """Lightning (SGD, gradient_clip_val 0.5, accumulate_grad_batches 2) on a
    float64 MLP over 16 examples: one optimizer step takes all 16 (devices x
    per_device x 2); the callback's log in out_dir/noise."""
    import lightning.pytorch as pl
    from lightning.pytorch.loggers import TensorBoardLogger
    from noisescope_torch.integrations.lightning import NoiseScopeLightningCallback

    g = torch.Generator().manual_seed(2)
    x = torch.randn(16, 5, generator=g, dtype=torch.float64)
    y = torch.randn(16, 2, generator=g, dtype=torch.float64) * 3

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.embed, self.head = torch.nn.Linear(5, 7).double(), torch.nn.Linear(7, 2).double()

        def training_step(self, batch, batch_idx):
            return torch.nn.functional.mse_loss(self.head(torch.tanh(self.embed(batch[0]))), batch[1])

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.05)

    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=per_device, shuffle=False)
    trainer = pl.Trainer(max_steps=steps, accelerator="cpu", devices=devices, strategy=strategy,
                         logger=TensorBoardLogger(os.path.join(out_dir, "tb"), name="run", version=0),
                         enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                         gradient_clip_val=0.5, accumulate_grad_batches=2, use_distributed_sampler=True,
                         callbacks=[NoiseScopeLightningCallback(os.path.join(out_dir, "noise"),
                                                                scalars={"window": 1, "verdict_every": 0})])
    trainer.fit(Module(), loader)


def lightning_worker(rank: int, world: int, port: int, out_dir: str) -> None:
    torchrun_environment(rank, world, port)
    lightning_run(out_dir, devices=world, per_device=4, strategy="ddp")
