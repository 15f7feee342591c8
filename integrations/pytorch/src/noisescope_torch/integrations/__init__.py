"""Trainer integrations, each importable only where its framework is installed:
``noisescope_torch.integrations.hf`` (transformers) and
``noisescope_torch.integrations.lightning`` (Lightning)."""
