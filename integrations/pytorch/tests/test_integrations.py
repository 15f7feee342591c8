"""The trainer callbacks with the real frameworks from PyPI (skipped, with the
reason printed, where a framework is not installed): a tiny GPT-2 under the
Hugging Face Trainer (also with its defaults: clipping at 1.0, and with
gradient accumulation), a linear model under Lightning (also with clipping
and accumulation). The numbers are checked
against a direct autograd computation (HF: the batch gradient at step 0; the
batch is the whole data set, so its gradient does not depend on the sampler's
order) and against NoiseRecorder in a plain loop (Lightning: same batches, same
optimizer, every field)."""

import importlib.util
import sys
import time

import numpy as np
import pytest
import torch

from noisescope_torch import NoiseRecorder, read_log


def need(module, pip):
    if importlib.util.find_spec(module) is None:
        reason = f"{module} not installed (pip install {pip}); its callback test is skipped"
        print(f"SKIP: {reason}", file=sys.stderr)
        pytest.skip(reason)


def test_hf_callback_import_error_names_the_pip_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)
    sys.modules.pop("noisescope_torch.integrations.hf", None)
    with pytest.raises(ImportError, match="pip install transformers"):
        import noisescope_torch.integrations.hf  # noqa: F401
    sys.modules.pop("noisescope_torch.integrations.hf", None)


def test_lightning_callback_import_error_names_the_pip_install(monkeypatch):
    for name in ("lightning", "lightning.pytorch", "pytorch_lightning"):
        monkeypatch.setitem(sys.modules, name, None)
    sys.modules.pop("noisescope_torch.integrations.lightning", None)
    with pytest.raises(ImportError, match="pip install lightning"):
        import noisescope_torch.integrations.lightning  # noqa: F401
    sys.modules.pop("noisescope_torch.integrations.lightning", None)


def tiny_gpt2(initializer_range=0.02):
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=32, n_positions=16, n_embd=16, n_layer=1, n_head=2, resid_pdrop=0.0,
                        embd_pdrop=0.0, attn_pdrop=0.0, initializer_range=initializer_range)
    return GPT2LMHeadModel(config)


def tiny_mlp():
    """The float64 5-7-2 MLP of the Lightning tests, the same weights at every call."""
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 2)).double()


def test_hf_trainer_callback(tmp_path):
    need("transformers", "transformers")
    from transformers import Trainer, TrainingArguments
    from noisescope_torch.integrations.hf import NoiseScopeHFCallback

    start = time.time()
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 32, (8, 12), generator=g)
    data = [{"input_ids": row, "labels": row} for row in ids]
    model = tiny_gpt2()
    initial = tiny_gpt2()
    args = TrainingArguments(output_dir=str(tmp_path / "out"), max_steps=5, per_device_train_batch_size=8,
                             max_grad_norm=0, report_to=[], save_strategy="no", logging_strategy="no",
                             use_cpu=True, dataloader_num_workers=0, learning_rate=1e-3, disable_tqdm=True)
    callback = NoiseScopeHFCallback(str(tmp_path / "noise"), every=2, micro_batches=4, micro_samples=4)
    Trainer(model=model, args=args, train_dataset=data, callbacks=[callback]).train()
    log = read_log(str(tmp_path / "noise"))
    assert log.complete and [s["step"] for s in log.steps] == [0, 2, 4]
    assert log.groups == ["embeddings", "attention", "mlp", "norms"]      # lm_head is tied to wte
    # The loss the Trainer back-propagates: the label-token sum over its count of label tokens.
    count = torch.tensor(96) if not getattr(Trainer, "_loss_shifts_labels", False) else torch.tensor(88)
    loss = initial(input_ids=ids, labels=ids, num_items_in_batch=count).loss
    grads = torch.autograd.grad(loss, [p for p in initial.parameters() if p.requires_grad])
    want = float(sum((x.double() ** 2).sum() for x in grads))
    first = log.steps[0]
    assert first["g_big_sq"] == pytest.approx(want, rel=1e-5)             # float32 model
    assert (first["b_small"], first["b_big"]) == (2, 8)
    for s in log.steps:                                                   # k = m: the identity holds exactly
        noise_sq = np.mean(np.square(s["noise_norms"]))
        assert noise_sq == pytest.approx(s["g_small_sq"] - s["g_big_sq"], rel=1e-4)
        assert sum(s["noise_sq_by_tensor"]) == pytest.approx(noise_sq, rel=1e-10)
    assert time.time() - start < 20


def test_hf_trainer_defaults_clipping_and_accumulation(tmp_path):
    """TrainingArguments' default max_grad_norm=1.0 and gradient_accumulation_steps=2:
    the per-example samples of an optimizer step are those of both micro-steps'
    examples, from the gradients before clipping. The 8 examples are the whole
    data set, so the first step's samples (in the sampler's order) are,
    sorted, those of autograd on each example at the initial parameters
    (float32 model and HF's float32 loss: 1e-4). The Trainer divides the label
    tokens' loss sum by its count of label tokens over both micro-steps, so
    g_i = 8 x (11 tokens' loss mean) x 11 / count (SCHEMA.md's convention)."""
    need("transformers", "transformers")
    from transformers import Trainer, TrainingArguments
    from noisescope_torch.integrations.hf import NoiseScopeHFCallback

    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 32, (8, 12), generator=g)
    data = [{"input_ids": row, "labels": row} for row in ids]
    initial = tiny_gpt2(0.3)                    # larger weights: gradients above the clipping norm
    args = TrainingArguments(output_dir=str(tmp_path / "out"), max_steps=3, per_device_train_batch_size=4,
                             gradient_accumulation_steps=2, report_to=[], save_strategy="no", logging_strategy="no",
                             use_cpu=True, dataloader_num_workers=0, learning_rate=1e-3, disable_tqdm=True)
    assert args.max_grad_norm == 1.0
    Trainer(model=tiny_gpt2(0.3), args=args, train_dataset=data,
            callbacks=[NoiseScopeHFCallback(str(tmp_path / "noise"))]).train()
    log = read_log(str(tmp_path / "noise"))
    assert log.complete and [s["step"] for s in log.steps] == [0, 1, 2]
    assert [s["examples"] for s in log.steps] == [8, 8, 8] and len(log.per_example) == 24
    params = [p for p in initial.parameters() if p.requires_grad]
    count = 88 if getattr(Trainer, "_loss_shifts_labels", False) else 96
    grads = torch.stack([torch.cat([x.reshape(-1) for x in torch.autograd.grad(
        initial(input_ids=row[None], labels=row[None]).loss * (8 * 11 / count), params)]) for row in ids]).double()
    mean = grads.mean(dim=0)
    want = np.sort((grads - mean).norm(dim=1).numpy())
    np.testing.assert_allclose(np.sort(log.per_example[:8]), want, rtol=1e-4)
    assert float(mean.norm()) > 1.0                                # so the Trainer clipped step 0 ...
    per_example = log.manifest["per_example"]
    assert per_example["clipped_steps"] >= 1 and "before any clipping" in per_example["gradients"]


def test_lightning_callback_matches_a_plain_loop(tmp_path):
    need("lightning", "lightning")
    import lightning.pytorch as pl
    from noisescope_torch.integrations.lightning import NoiseScopeLightningCallback

    start = time.time()
    g = torch.Generator().manual_seed(2)
    x = torch.randn(48, 5, generator=g, dtype=torch.float64)
    y = torch.randn(48, 2, generator=g, dtype=torch.float64) * (1 + 3 * torch.rand(48, 1, generator=g, dtype=torch.float64))
    mse = torch.nn.functional.mse_loss

    model = tiny_mlp

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = model()

        def forward(self, inputs):
            return self.net(inputs)

        def training_step(self, batch, batch_idx):
            return mse(self(batch[0]), batch[1])

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.05)

    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8, shuffle=False)
    callback = NoiseScopeLightningCallback(str(tmp_path / "pl"), every=2, loss_fn=mse, micro_batches=4,
                                           micro_samples=2)
    trainer = pl.Trainer(max_steps=6, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False, callbacks=[callback])
    trainer.fit(Module(), loader)

    net = model()                      # the same run in a plain loop
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    rec = NoiseRecorder(net, str(tmp_path / "plain"), every=2, loss_fn=mse, micro_batches=4, micro_samples=2)
    for step in range(6):
        xb, yb = x[8 * step:8 * (step + 1)], y[8 * step:8 * (step + 1)]
        mse(net(xb), yb).backward()
        rec.step(step, inputs=xb, targets=yb)
        opt.step()
        opt.zero_grad()
    rec.close()
    got, want = read_log(str(tmp_path / "pl")), read_log(str(tmp_path / "plain"))
    assert got.complete and [s["step"] for s in got.steps] == [s["step"] for s in want.steps] == [0, 2, 4]
    for a, b in zip(got.steps, want.steps):
        for field in ("noise_norms", "g_small_sq", "g_big_sq", "b_simple", "b_simple_ema", "noise_sq_by_tensor"):
            np.testing.assert_allclose(a[field], b[field], rtol=1e-12, err_msg=field)
    np.testing.assert_allclose(got.by_group, want.by_group, rtol=1e-12)
    np.testing.assert_allclose(got.per_example, want.per_example, rtol=1e-12)
    assert got.per_example.size == 3 * 8
    assert time.time() - start < 20


def test_lightning_gradient_clipping_and_accumulation(tmp_path):
    """gradient_clip_val and accumulate_grad_batches=2 (batches of 4, not
    shuffled): the first optimizer step's samples are those of examples 0..7
    against their mean, before clipping, as autograd gives them (float64)."""
    need("lightning", "lightning")
    import lightning.pytorch as pl
    from noisescope_torch.integrations.lightning import NoiseScopeLightningCallback

    g = torch.Generator().manual_seed(2)
    x = torch.randn(32, 5, generator=g, dtype=torch.float64)
    y = torch.randn(32, 2, generator=g, dtype=torch.float64) * 3
    mse = torch.nn.functional.mse_loss

    model = tiny_mlp

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = model()

        def training_step(self, batch, batch_idx):
            return mse(self.net(batch[0]), batch[1])

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.05)

    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=4, shuffle=False)
    trainer = pl.Trainer(max_steps=3, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False, gradient_clip_val=0.01,
                         accumulate_grad_batches=2, callbacks=[NoiseScopeLightningCallback(str(tmp_path / "pl"))])
    trainer.fit(Module(), loader)
    log = read_log(str(tmp_path / "pl"))
    assert [s["examples"] for s in log.steps] == [8, 8, 8]
    net = model()
    params = list(net.parameters())
    grads = torch.stack([torch.cat([t.reshape(-1) for t in torch.autograd.grad(mse(net(x[i:i + 1]), y[i:i + 1]),
                                                                              params)]) for i in range(8)])
    np.testing.assert_allclose(log.per_example[:8], (grads - grads.mean(dim=0)).norm(dim=1).numpy(), rtol=1e-10)
    assert log.manifest["per_example"]["clipped_steps"] == 0        # Lightning clips after this hook
