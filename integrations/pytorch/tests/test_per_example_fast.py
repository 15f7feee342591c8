"""The shortcuts of the recording step leave every number as it was:
statistics of large materialised shares taken right after their first
contribution (``Capture.eager_stats``, while the shares are in the cache)
equal those recomputed at the end, and are discarded when a second
contribution (a reused module) or a second micro-step follows; the shares
of a tied tensor are accumulated in place (the embedding's rows added into
the head's buffer). Against explicit per-example autograd in float64 (1e-8,
as test_per_example.py) and, eager against recomputed, to 1e-12."""

import torch
from torch import nn

import _per_example_models as m
from noisescope_torch import NoiseRecorder, read_log
from noisescope_torch._capture import Capture
from noisescope_torch._plan import plan
from noisescope_torch._stats import SMALL


class Wide(nn.Module):
    """A tied embedding and head (40 x 30 = 1,200 values), a Linear used once
    and one used twice (40 x 40 = 1,600): all wider than SMALL."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(3)
        self.wte = nn.Embedding(40, 30)
        self.up, self.mix, self.down = nn.Linear(30, 40), nn.Linear(40, 40), nn.Linear(40, 30)
        self.head = nn.Linear(30, 40, bias=False)
        self.head.weight = self.wte.weight

    def forward(self, tokens):
        h = torch.tanh(self.up(self.wte(tokens)))
        h = torch.tanh(self.mix(torch.tanh(self.mix(h))))          # reused
        return self.head(self.down(h))


def data(n=8, t=5):
    g = torch.Generator().manual_seed(5)
    return torch.randint(0, 40, (n, t), generator=g), torch.randint(0, 40, (n, t), generator=g)


def stats(eager, segments, sub=(4, 4)):
    model = Wide().double()
    params = list(model.parameters())
    capture = Capture(model, plan(model, params)[0], params, "materialise")
    capture.eager_stats, capture.sub_batches = eager, sub
    capture.armed = True
    x, y = data()
    for part in segments:
        (m.lm_loss(model(x[part]), y[part]) / len(segments)).backward()
    early = sorted(capture.eager)
    step = capture.finish(None, *sub)
    names = [n for n, _ in model.named_parameters()]
    return step, [names[t] for t in early], model


def test_early_statistics_equal_the_recomputed_ones():
    whole = [slice(0, 8)]
    fast, early, model = stats(True, whole)
    slow, none, _ = stats(False, whole)
    assert none == [] and all(p.numel() > SMALL for n, p in model.named_parameters() if n in early)
    assert early == ["up.weight", "down.weight"]            # not the tied wte/head, not the reused mix
    for field in ("diag", "rowsum", "total", "blocks"):
        torch.testing.assert_close(getattr(fast, field), getattr(slow, field), rtol=1e-12, atol=0)


def test_early_statistics_are_not_used_across_micro_steps():
    halves = [slice(0, 4), slice(4, 8)]
    fast, early, _ = stats(True, halves)
    slow, _, _ = stats(False, halves)
    assert early == ["up.weight", "down.weight"]            # taken in the first micro-step, then not used
    for field in ("diag", "rowsum", "total", "blocks"):
        torch.testing.assert_close(getattr(fast, field), getattr(slow, field), rtol=1e-12, atol=0)


def test_recorded_noise_matches_autograd(tmp_path):
    """The recorder (early statistics, the tied rows added into the head's
    shares) against one backward per example."""
    model = Wide().double()
    x, y = data()
    recorder = NoiseRecorder(model, str(tmp_path), every=1, micro_batches=4)
    m.lm_loss(model(x), y).backward()
    record = recorder.step(0)
    recorder.close()
    grads = m.per_example_grads(model, lambda i: m.lm_loss(model(x[i:i + 1]), y[i:i + 1]), 8)
    log = read_log(str(tmp_path))
    assert m.rel(log.per_example, m.noise(grads)) < 1e-8
    # the 4 sub-batches of 2 examples (their blocks come from the early statistics too)
    sub = (grads.reshape(4, 2, -1).mean(dim=1) - grads.mean(dim=0)).norm(dim=1)
    assert m.rel(record["noise_norms"], sub) < 1e-8
    assert log.manifest["per_example"]["shared_tensors"] == ["wte.weight"]
