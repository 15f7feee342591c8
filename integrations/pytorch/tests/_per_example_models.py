"""Small float64 models, one per per-example rule (and the awkward cases),
each with a batch and a mean loss, and the explicit per-example reference:
autograd on one example at a time (tests/test_per_example.py)."""

from __future__ import annotations

import math
from typing import Callable, List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn

N = 6            # examples per batch
D = torch.float64


class Conv1D(nn.Module):
    """Hugging Face's transposed linear layer (transformers.pytorch_utils.Conv1D), copied."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf, self.nx = nf, nx
        self.weight = nn.Parameter(torch.randn(nx, nf) * 0.5)
        self.bias = nn.Parameter(torch.randn(nf) * 0.1)

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(x.shape[:-1] + (self.nf,))


class SeqLinear(nn.Module):
    """A Linear and an HF Conv1D on inputs with two extra sequence dimensions."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 6), Conv1D(2, 6)

    def forward(self, x):
        return self.b(torch.tanh(self.a(x)))


class Embeddings(nn.Module):
    """Token embedding with a padding row, positions without a batch dimension
    (nanoGPT's wpe(arange(T))), a linear read-out."""

    def __init__(self):
        super().__init__()
        self.tok, self.pos, self.out = nn.Embedding(13, 5, padding_idx=0), nn.Embedding(7, 5), nn.Linear(5, 13)

    def forward(self, tokens):
        return self.out(torch.tanh(self.tok(tokens) + self.pos(torch.arange(tokens.shape[1], device=tokens.device))))


class Convs(nn.Module):
    """Conv1d (stride, padding, groups) then Conv2d (dilation, 'same' reflect padding)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2)
        self.c2 = nn.Conv2d(1, 3, (2, 3), dilation=(1, 2), padding="same", padding_mode="reflect")
        self.c3 = nn.Conv2d(3, 2, 2, stride=2, bias=False)

    def forward(self, x):
        h = torch.tanh(self.c1(x))                    # (n, 6, 5)
        h = torch.tanh(self.c2(h.unsqueeze(1)))        # (n, 3, 6, 5)
        return self.c3(h).flatten(1)


class Norms(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin, self.ln, self.rms = nn.Linear(5, 6), nn.LayerNorm(6), nn.RMSNorm(6, eps=1e-6)
        self.ln2 = nn.LayerNorm((3, 6), bias=False)

    def forward(self, x):
        return self.ln2(self.rms(self.ln(self.lin(x)) * 1.5 + 0.3))


class CausalBlock(nn.Module):
    """A pre-LN causal attention block of plain modules (qkv Linear, sdpa)."""

    def __init__(self, d: int = 8, heads: int = 2):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.fcp = nn.Linear(d, 2 * d), nn.Linear(2 * d, d)

    def forward(self, x):
        n, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (z.view(n, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(n, t, d)
        x = x + self.proj(y)
        return x + self.fcp(F.gelu(self.fc(self.ln2(x))))


class Gain(nn.Module):
    """A custom module with its own parameter (torch.func) around a Linear (ghost)."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(8, 8)
        self.gain = nn.Parameter(torch.linspace(0.5, 1.5, 8))

    def forward(self, x):
        return torch.tanh(self.lin(x)) * self.gain


class Mixed(nn.Module):
    """Ghost/materialised modules, a torch.func custom module, and
    nn.MultiheadAttention (sequence-first, causal mask, key padding mask) as torch.func."""

    def __init__(self):
        super().__init__()
        self.inp, self.gain = nn.Linear(3, 8), Gain()
        self.mha = nn.MultiheadAttention(8, 2)
        self.out = nn.Linear(8, 3)

    def forward(self, x, pad):
        h = self.gain(self.inp(x))                              # (n, T, 8)
        t = h.shape[1]
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool, device=x.device), 1)
        seq = h.transpose(0, 1)
        a, _ = self.mha(seq, seq, seq, attn_mask=mask, key_padding_mask=pad, need_weights=False)
        return self.out(h + a.transpose(0, 1))


class TiedTinyGPT(nn.Module):
    """tinygpt-style: the output head shares the token embedding's matrix, a
    block used twice (a reused module)."""

    def __init__(self, vocab: int = 11, d: int = 8, context: int = 5):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(context, d)
        self.block = CausalBlock(d)
        self.lnf = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.wte.weight

    def forward(self, tokens):
        x = self.wte(tokens) + self.wpe(torch.arange(tokens.shape[1], device=tokens.device))
        return self.head(self.lnf(self.block(self.block(x))))


def lm_loss(logits, targets):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def mse(output, target):
    return ((output - target) ** 2).mean()


def case(name: str) -> Tuple[nn.Module, tuple, object, Callable]:
    """(model, inputs, targets, loss(output, targets)): the batch loss is the
    mean of the examples' losses."""
    torch.manual_seed({"seq": 1, "emb": 2, "conv": 3, "norm": 4, "block": 5, "mixed": 6, "tied": 7}[name])
    g = torch.Generator().manual_seed(11)
    if name == "seq":
        return SeqLinear().to(D), (torch.randn(N, 3, 2, 4, generator=g, dtype=D),), \
            torch.randn(N, 3, 2, 2, generator=g, dtype=D), mse
    if name == "emb":
        tokens = torch.randint(0, 13, (N, 7), generator=g)
        tokens[:, -2:] = 0                                   # padding
        return Embeddings().to(D), (tokens,), torch.randint(0, 13, (N, 7), generator=g), lm_loss
    if name == "conv":
        return Convs().to(D), (torch.randn(N, 4, 9, generator=g, dtype=D),), \
            torch.randn(N, 2 * 3 * 2, generator=g, dtype=D), mse
    if name == "norm":
        return Norms().to(D), (torch.randn(N, 3, 5, generator=g, dtype=D) * 2,), \
            torch.randn(N, 3, 6, generator=g, dtype=D), mse
    if name == "block":
        return CausalBlock().to(D), (torch.randn(N, 5, 8, generator=g, dtype=D),), \
            torch.randn(N, 5, 8, generator=g, dtype=D), mse
    if name == "mixed":
        pad = torch.zeros(N, 4, dtype=torch.bool)
        pad[1, -1] = pad[4, -2:] = True
        return Mixed().to(D), (torch.randn(N, 4, 3, generator=g, dtype=D), pad), \
            torch.randn(N, 4, 3, generator=g, dtype=D), mse
    tokens = torch.randint(0, 11, (N, 5), generator=g)
    return TiedTinyGPT().to(D), (tokens,), torch.randint(0, 11, (N, 5), generator=g), lm_loss


CASES = ["seq", "emb", "conv", "norm", "block", "mixed", "tied"]


def flat(grads: Sequence, params: Sequence[torch.Tensor]) -> torch.Tensor:
    return torch.cat([(g if g is not None else torch.zeros_like(p)).reshape(-1) for g, p in zip(grads, params)])


def per_example_grads(model: nn.Module, one_loss: Callable[[int], torch.Tensor], n: int) -> torch.Tensor:
    """(n, P): the gradient of ``one_loss(i)`` for every example, one backward each."""
    params = [p for p in model.parameters() if p.requires_grad]
    return torch.stack([flat(torch.autograd.grad(one_loss(i), params, allow_unused=True), params) for i in range(n)])


def slice_inputs(inputs: tuple, i: int) -> List[torch.Tensor]:
    return [x[i:i + 1] for x in inputs]


def noise(grads: torch.Tensor) -> torch.Tensor:
    """|g_i - gbar| for every example."""
    return (grads - grads.mean(dim=0)).norm(dim=1)


def rel(a, b) -> float:
    a, b = torch.as_tensor(a, dtype=D), torch.as_tensor(b, dtype=D)
    return float((a - b).abs().max() / b.abs().max().clamp_min(math.ulp(1.0)))


def assert_stats(step, shares: torch.Tensor, params: Sequence[torch.Tensor], tol: float,
                 vectors: Sequence[torch.Tensor] = ()) -> None:
    """The capture's per-tensor statistics (``_capture.StepStats``) against
    those of the explicit shares (N x P): |c_i|^2, <c_i, sum c>, |sum c|^2, the
    sub-batch block norms and, with ``vectors``, <c_i, v_t>, each tensor."""
    k, b = step.blocks.shape[1], step.b
    for t, c in enumerate(shares.split([p.numel() for p in params], dim=1)):
        whole = c.sum(dim=0)
        want = {"diag": (c * c).sum(dim=1), "rowsum": c @ whole, "total": whole @ whole,
                "blocks": c[:k * b].reshape(k, b, -1).sum(dim=1).pow(2).sum(dim=1)}
        if vectors:
            want["dots"] = c @ vectors[t].reshape(-1)
        for field, value in want.items():
            assert rel(getattr(step, field)[t], value) < tol, (t, field)
