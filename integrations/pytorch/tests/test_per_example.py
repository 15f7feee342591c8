"""Per-example noise against explicit per-example autograd (one backward per
example), in float64: every rule (Linear and HF's Conv1D with sequence dimensions, Embedding
with a padding row and positions without a batch dimension, Conv1d/Conv2d,
LayerNorm/RMSNorm), a causal attention block, a model mixing ghost,
materialised and torch.func modules (a custom module, nn.MultiheadAttention
with masks), tinygpt-style tied embeddings with a reused block, and a Hugging
Face GPT-2 with padding.

Two levels: the per-tensor statistics of the capture (|c_i|^2, <c_i, sum c>,
|sum c|^2, sub-batch block norms: the parts of the Gram matrix <c_i, c_j> the
noise needs; and <c_i, v>, v a vector as several ranks' mean gradient), each
path forced (ghost and materialised), and the recorder's logged noise
|g_i - gbar| with its default choice. Tolerance 1e-8 relative (observed
about 1e-15: the same sums in another order)."""

import importlib.util

import pytest
import torch

import _per_example_models as m
from noisescope_torch import NoiseRecorder, read_log
from noisescope_torch._capture import Capture
from noisescope_torch._plan import plan
from noisescope_torch._rules import LinearRule

TOL = 1e-8


def explicit(model, inputs, targets, loss):
    """(n, P) per-example gradients of the mean loss's terms."""
    return m.per_example_grads(model, lambda i: loss(model(*m.slice_inputs(inputs, i)), targets[i:i + 1]), m.N)


@pytest.mark.parametrize("path", ["ghost", "materialise"])
@pytest.mark.parametrize("name", m.CASES)
def test_statistics_of_every_tensor_match_autograd(name, path):
    model, inputs, targets, loss = m.case(name)
    params = list(model.parameters())
    rules, why = plan(model, params)
    assert why is None
    capture = Capture(model, rules, params, path)
    capture.armed = True
    loss(model(*inputs), targets).backward()
    vectors = [torch.randn_like(p) for p in params]                 # as the all-reduced gradient of several ranks
    step = capture.finish(vectors, sub_batches=3, sub_samples=3)
    assert step is not None, capture.error
    assert (step.sizes, step.b, step.blocks.shape[1]) == ([m.N], 2, 3)
    shares = explicit(model, inputs, targets, loss) / m.N          # each example's share of the mean loss's gradient
    m.assert_stats(step, shares, params, TOL, vectors)
    paths = {p for entry in capture.describe([str(i) for i in range(len(params))]) for p in entry["tensors"].values()}
    assert ("ghost" in paths) == (path == "ghost"), paths          # every case has a Linear
    assert ("torch.func" in paths) == (name == "mixed")
    if name == "seq":                                               # the copy of HF's Conv1D: a transposed Linear
        assert isinstance(rules[1][1], LinearRule) and rules[1][1].transposed


@pytest.mark.parametrize("name", m.CASES)
def test_recorded_noise_matches_autograd(tmp_path, name):
    model, inputs, targets, loss = m.case(name)
    recorder = NoiseRecorder(model, str(tmp_path), every=1)
    loss(model(*inputs), targets).backward()
    recorder.step(0)
    recorder.close()
    log = read_log(str(tmp_path))
    want = m.noise(explicit(model, inputs, targets, loss))
    assert m.rel(log.per_example, want) < TOL
    assert log.per_example_steps.tolist() == [0.0] * m.N
    manifest = log.manifest["per_example"]
    assert manifest["enabled"] and manifest["samples"] == m.N and manifest["recorded_steps"] == 1
    if name == "tied":
        assert manifest["shared_tensors"] == ["wte.weight"]
        assert {e["module"] for e in manifest["modules"] if "wte.weight" in e["tensors"]} == {"wte", "head"}


def test_micro_batch_rows_come_from_the_same_gram(tmp_path):
    """All m sub-batch noises |mean_S g - gbar| of the Gram matrix against autograd."""
    model, inputs, targets, loss = m.case("block")
    recorder = NoiseRecorder(model, str(tmp_path), every=1, micro_batches=3)
    loss(model(*inputs), targets).backward()
    record = recorder.step(0)
    recorder.close()
    grads = explicit(model, inputs, targets, loss)
    mean = grads.mean(dim=0)
    want = [float((grads[2 * j:2 * j + 2].mean(dim=0) - mean).norm()) for j in range(3)]
    assert m.rel(record["noise_norms"], want) < TOL
    assert (record["b_small"], record["b_big"], record["examples"]) == (2, m.N, m.N)


def gpt2_batch():
    """A tiny GPT-2 from a config, a right-padded batch of four lengths, labels
    -100 on the padding."""
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=29, n_positions=8, n_embd=12, n_layer=2, n_head=2, resid_pdrop=0.0,
                        embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(config).double()
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(0, 29, (m.N, 7), generator=g)
    mask = torch.ones(m.N, 7, dtype=torch.long)
    for i, length in enumerate([7, 5, 3, 7, 6, 4]):
        mask[i, length:] = 0
    labels = ids.masked_fill(mask == 0, -100)
    return model, ids, mask, labels


@pytest.mark.skipif(importlib.util.find_spec("transformers") is None, reason="transformers not installed")
@pytest.mark.parametrize("hf_loss", [False, True], ids=["float64-loss", "hf-labels-loss"])
def test_hf_gpt2_with_padding_matches_autograd(tmp_path, hf_loss):
    """The loss is the mean over all label tokens of the batch (-100 left out),
    so example i's share is its label tokens' loss sum over the batch's count,
    and g_i = n x share (SCHEMA.md); the padding reaches no gradient. Computed
    here in float64, or by HF itself from labels=, which casts the logits to
    float32 first (so 1e-6 there: float32 rounding of the loss's gradient)."""
    model, ids, mask, labels = gpt2_batch()
    count = int((labels[:, 1:] != -100).sum())

    def label_loss(logits, labels):
        return torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]),
                                                 labels[:, 1:].reshape(-1), ignore_index=-100, reduction="sum")

    recorder = NoiseRecorder(model, str(tmp_path), every=1)
    if hf_loss:
        model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
    else:
        (label_loss(model(input_ids=ids, attention_mask=mask).logits, labels) / count).backward()
    recorder.step(0)
    recorder.close()

    def share(i):
        return label_loss(model(input_ids=ids[i:i + 1], attention_mask=mask[i:i + 1]).logits, labels[i:i + 1]) / count

    want = m.noise(m.per_example_grads(model, share, m.N) * m.N)
    log = read_log(str(tmp_path))
    assert m.rel(log.per_example, want) < (1e-6 if hf_loss else TOL)
    entries = {e["module"]: e for e in log.manifest["per_example"]["modules"]}
    assert entries["transformer.h.0.attn.c_attn"]["rule"] == "linear"          # HF Conv1D, transposed
    assert entries["transformer.wpe"]["rule"] == "embedding"                   # positions (1, T), shared
    assert log.manifest["per_example"]["shared_tensors"] == ["transformer.wte.weight"]   # lm_head tied
