"""The top-level README's PyTorch snippet, copied verbatim, records real noise.

The snippet leaves `model`, `loader`, `loss_fn` and `optimizer` to the user;
this test defines a small classifier and a data loader, then runs the
snippet's exact text (extracted from README.md) in a fresh process and
directory, and checks what it left: a complete log with noise samples, at
least 5,000 per-example samples from 300 steps at batch 32 (issue 22), and
close() saying when the verdict's sample sizes were reached.
"""

import json
import os
import pathlib
import re
import subprocess
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[3]

PREAMBLE = """
import torch
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
x_all = torch.randn(9600, 8); y_all = torch.randint(0, 3, (9600,))       # 300 batches of 32
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_all, y_all), batch_size=32, shuffle=True)
loss_fn = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
"""


def readme_snippet():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Bring your own PyTorch run"):]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README's PyTorch section has no python block"
    return match.group(1)


def test_readme_snippet_runs_verbatim_and_records_noise(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(PREAMBLE + readme_snippet(), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "integrations" / "pytorch" / "src"))
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    log = tmp_path / "runs" / "noise"
    manifest = json.loads((log / "manifest.json").read_text())
    assert manifest["complete"] is True
    norms = np.load(log / "noise_norms.npy")
    assert norms.ndim == 1 and norms.size >= 2
    assert np.all(np.isfinite(norms)) and np.all(norms > 0)
    # 300 steps at batch 32: every step, since 10,000 per-example samples take 313 steps.
    examples = np.load(log / "noise_per_example.npy")
    assert examples.size >= 5000 and np.all(np.isfinite(examples)) and np.all(examples > 0)
    assert examples.size == 32 * 300
    assert "5,000 samples for 'light': reached at step 156" in done.stderr
