"""tinygpt in JAX, written from docs/models.md for the peer benchmark.

Parameters are a dict keyed by noisescope's tensor names (the layout order in
docs/models.md); every weight matrix is [out, in] as in noisescope and PyTorch,
so one flat vector or one set of numpy arrays feeds all three implementations.
"""

import math

import jax
import jax.numpy as jnp

LN_EPS = 1e-5  # noisescope's LayerNorm epsilon (PyTorch's default)


def tensor_names(layers, attention=True):
    """noisescope's buffer order (docs/models.md, 'Tensors in buffer order')."""
    names = ["wte", "wpe"]
    for l in range(layers):
        p = f"blocks.{l}."
        if attention:
            names += [p + "ln1.weight", p + "ln1.bias", p + "qkv.weight", p + "qkv.bias",
                      p + "proj.weight", p + "proj.bias"]
        names += [p + "ln2.weight", p + "ln2.bias", p + "fc.weight", p + "fc.bias",
                  p + "fcp.weight", p + "fcp.bias"]
    return names + ["lnf.weight", "lnf.bias"]


def _layer_norm(x, w, b):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=-1, keepdims=True)  # biased, as in noisescope
    return (x - mean) * jax.lax.rsqrt(var + LN_EPS) * w + b


def _linear(x, params, name):
    return x @ params[name + ".weight"].T + params[name + ".bias"]


def _gelu_tanh(x):
    return 0.5 * x * (1.0 + jnp.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def _attention(x, params, prefix, heads):
    *lead, t, d = x.shape
    hs = d // heads
    qkv = _linear(x, params, prefix + "qkv")                       # [..., T, 3d] = [q | k | v]
    q, k, v = jnp.split(qkv, 3, axis=-1)

    def split_heads(a):                                            # [..., H, T, hs]
        return jnp.swapaxes(a.reshape(*lead, t, heads, hs), -2, -3)

    q, k, v = split_heads(q), split_heads(k), split_heads(v)
    scores = (q @ jnp.swapaxes(k, -1, -2)) / math.sqrt(hs)         # [..., H, T, T]
    causal = jnp.tril(jnp.ones((t, t), dtype=bool))
    scores = jnp.where(causal, scores, -jnp.inf)
    y = jax.nn.softmax(scores, axis=-1) @ v                        # [..., H, T, hs]
    y = jnp.swapaxes(y, -2, -3).reshape(*lead, t, d)
    return _linear(y, params, prefix + "proj")


def loss(params, tokens, targets, *, layers, heads, attention=True):
    """Mean cross-entropy over every position of tokens/targets ([B, T] or [T] ints)."""
    t = tokens.shape[-1]
    x = params["wte"][tokens] + params["wpe"][:t]
    for l in range(layers):
        p = f"blocks.{l}."
        if attention:
            x = x + _attention(_layer_norm(x, params[p + "ln1.weight"], params[p + "ln1.bias"]), params, p, heads)
        h = _layer_norm(x, params[p + "ln2.weight"], params[p + "ln2.bias"])
        x = x + _linear(_gelu_tanh(_linear(h, params, p + "fc")), params, p + "fcp")
    x = _layer_norm(x, params["lnf.weight"], params["lnf.bias"])
    logits = x @ params["wte"].T                                   # tied head, no bias
    logp = jax.nn.log_softmax(logits, axis=-1)
    picked = jnp.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]
    return -jnp.mean(picked)
