#!/usr/bin/env python3
"""noisescope against PyTorch and JAX on tinygpt, in one run (issue 17, item 2).

Times gradients of the same tinygpt (docs/models.md defaults: V 256, T 64, d 64,
L 2, H 4, GELU tanh, LayerNorm, tied wte head; 120,576 parameters, float32) on
the same data (Sources/NoiseScopeModels/BundledData/prideprejudice.txt in 64-byte windows, random
windows drawn afresh for every call) in

  noisescope   the release binary: `noisescope bench --json` (tinygpt B = 8,
               default parallelism) and `noisescope measure --batch 1` (B = 1:
               per-example gradients from one batched pass over 8 windows)
  PyTorch      eager, and torch.compile (inductor); the model is the one in
               tools/fixtures/make_torch_fixture.py, imported, not re-written
  JAX          jax.jit, with the model in tinygpt_jax.py

for (a) B = 8 minibatch gradients and (b) B = 1 per-example gradients, on 1
and on 2 threads, each peer configuration in a process of its own. Prints a
table (or --json) with gradients/s, noisescope's ratio to the best peer, the
CPU and the versions.

    flock /tmp/swift-build.lock python3 benchmarks/peers/run.py [--json] [--seconds 2]
    python3 benchmarks/peers/run.py --check      # PyTorch vs JAX equivalence, a few seconds

Run it with a python that has torch, jax and numpy (see README.md). Not in CI.
"""

import argparse
import importlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = ROOT / "Sources" / "NoiseScopeModels" / "BundledData" / "prideprejudice.txt"
TORCH_MODEL = ROOT / "tools" / "fixtures" / "make_torch_fixture.py"

# tinygpt defaults (docs/models.md)
VOCAB, CONTEXT, WIDTH, LAYERS, HEADS, INIT_STD = 256, 64, 64, 2, 4, 0.02
PARAMETERS = 120_576


# ------------------------------------------------------------------ shared setup

def windows():
    """Inputs and targets of every 64-byte window, [N, T] int32 each (N = 10,699)."""
    import numpy as np
    data = np.frombuffer(CORPUS.read_bytes(), dtype=np.uint8)
    n = (len(data) - 1) // CONTEXT
    inputs = data[: n * CONTEXT].reshape(n, CONTEXT).astype(np.int32)
    targets = data[1: n * CONTEXT + 1].reshape(n, CONTEXT).astype(np.int32)
    return inputs, targets


def initial_parameters(seed=0, dtype="float32"):
    """One set of numpy arrays, keyed by noisescope's tensor names, drawn as docs/models.md
    says (N(0, 0.02²) weights and embeddings, N(0, (0.02/√(2L))²) for proj and fcp, zero
    biases, LayerNorm 1 and 0). numpy's generator, not noisescope's: the same
    distribution, not the same numbers."""
    import numpy as np
    from tinygpt_jax import tensor_names
    rng = np.random.default_rng(seed)
    d, out_std = WIDTH, INIT_STD / (2 * LAYERS) ** 0.5
    shapes = {"wte": (VOCAB, d), "wpe": (CONTEXT, d)}
    for l in range(LAYERS):
        p = f"blocks.{l}."
        shapes.update({p + "ln1.weight": (d,), p + "ln1.bias": (d,), p + "qkv.weight": (3 * d, d),
                       p + "qkv.bias": (3 * d,), p + "proj.weight": (d, d), p + "proj.bias": (d,),
                       p + "ln2.weight": (d,), p + "ln2.bias": (d,), p + "fc.weight": (4 * d, d),
                       p + "fc.bias": (4 * d,), p + "fcp.weight": (d, 4 * d), p + "fcp.bias": (d,)})
    shapes.update({"lnf.weight": (d,), "lnf.bias": (d,)})
    params = {}
    for name in tensor_names(LAYERS):
        shape = shapes[name]
        if name.endswith(".bias"):
            a = np.zeros(shape)
        elif ".ln" in name or name.startswith("lnf"):
            a = np.ones(shape)
        else:
            std = out_std if (".proj." in name or ".fcp." in name) else INIT_STD
            a = rng.normal(0.0, std, size=shape)
        params[name] = a.astype(dtype)
    assert sum(a.size for a in params.values()) == PARAMETERS
    return params


def torch_model(params, dtype="float32"):
    """The fixture generator's TinyGPT (tools/fixtures/make_torch_fixture.py), loaded
    with `params` (noisescope names) by the generator's own name mapping."""
    import torch
    # Imported by name from its folder, not exec'd from a spec: torch.compile (dynamo)
    # re-imports the module a traced function comes from by its name, which failed
    # ("No module named 'make_torch_fixture'") while the module was in no sys.path
    # entry; PYTHONPATH carries the folder to inductor's compile subprocesses.
    folder = str(TORCH_MODEL.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (folder, os.environ.get("PYTHONPATH")) if p)
    module = importlib.import_module(TORCH_MODEL.stem)  # sets the default dtype to float64 ...
    torch.set_default_dtype(getattr(torch, dtype))  # ... which the benchmark does not want
    model = module.TinyGPT(VOCAB, CONTEXT, WIDTH, LAYERS, HEADS, attention=True)
    seen = set()
    with torch.no_grad():
        for name, p in model.named_parameters():
            source = params[model.swift_name(name)]
            assert tuple(p.shape) == source.shape, (name, p.shape, source.shape)
            p.copy_(torch.from_numpy(source))
            seen.add(model.swift_name(name))
    assert seen == set(params), seen ^ set(params)
    return model


def timed(step, per_call, seconds, repeats, min_calls=50, warmup=5, attempts=3, quiet_load=0.25):
    """Median over `repeats` of the rate (per_call gradients per call: 1 for a minibatch
    gradient, c for c per-example gradients from one vmap call); each repeat runs
    at least `min_calls` calls and at least `seconds`, after `warmup` untimed calls.
    Also returns CPU seconds per wall second (the cores the peer really used) and the
    cores' worth of other processes' work meanwhile (background_load). On a shared
    machine a two-thread OpenMP peer collapses when another process takes a core, so a
    measurement during which the machine was oversubscribed (see `oversubscribed`) is
    taken again, up to `attempts` times in all, and the least disturbed one is kept."""
    for _ in range(warmup):
        step()
    tries = []
    for _ in range(attempts):
        rates, cpu, wall = [], 0.0, 0.0
        busy0 = system_busy_seconds()
        for _ in range(repeats):
            n, c0, t0 = 0, time.process_time(), time.perf_counter()
            while True:
                step()
                n += 1
                elapsed = time.perf_counter() - t0
                if n >= min_calls and elapsed >= seconds:
                    break
            cpu += time.process_time() - c0
            wall += elapsed
            rates.append(n * per_call / elapsed)
        foreign = max(0.0, (system_busy_seconds() - busy0) - cpu) / wall if busy0 else 0.0
        tries.append({"grads_per_second": statistics.median(rates), "repeats": [round(r, 2) for r in rates],
                      "cores_used": round(cpu / wall, 2), "background_load": round(foreign, 2)})
        if not oversubscribed(foreign, cpu / wall, quiet_load):
            break
    kept = min(tries, key=lambda t: t["background_load"])
    kept["attempts"] = len(tries)
    return kept


def oversubscribed(background, cores_used, slack):
    """True when this measurement and other processes together wanted more than the
    machine's cores (plus `slack`): a one-core measurement beside one core of foreign
    work on two cores is fine, a two-core one is not."""
    return background + cores_used > len(os.sched_getaffinity(0)) + slack


def system_busy_seconds():
    """All cores' busy time from /proc/stat (user nice system irq softirq steal), in seconds;
    minus this process's CPU time it is the load of other processes, as noisescope's
    bench reports it (background_load). 0 where /proc/stat is missing."""
    try:
        with open("/proc/stat") as f:
            v = [float(t) for t in f.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ workers (one process each)

def pin_threads(threads):
    """Restricts this process to `threads` cores before torch or jax is imported."""
    cores = sorted(os.sched_getaffinity(0))
    if threads < len(cores):
        os.sched_setaffinity(0, cores[:threads])
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    if threads == 1:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                                   + " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")


def draws(count, batch, seed):
    import numpy as np
    return np.random.default_rng(seed).integers(0, count, size=(4096, batch))


def torch_worker(args, compiled):
    import numpy as np
    import torch
    from torch.func import functional_call, grad, vmap
    torch.set_num_threads(args.threads)
    x_np, y_np = windows()
    model = torch_model(initial_parameters())
    x, y = torch.from_numpy(x_np.astype(np.int64)), torch.from_numpy(y_np.astype(np.int64))
    params = dict(model.named_parameters())
    plist = list(params.values())
    forward = torch.compile(model, dynamic=False) if compiled else model
    results = {}

    def minibatch(b):
        pool = torch.from_numpy(draws(len(x_np), b, 42))
        k = [0]

        def step():
            i = pool[k[0] % len(pool)]
            k[0] += 1
            loss = forward(y[i], tokens=x[i])
            torch.autograd.grad(loss, plist)
        return step

    def per_example(chunk):
        detached = {n: p.detach() for n, p in params.items()}

        def f(p, xi, yi):
            return functional_call(model, p, (yi[None],), {"tokens": xi[None]})
        g = vmap(grad(f), in_dims=(None, 0, 0))
        if compiled:
            g = torch.compile(g, dynamic=False)
        pool = torch.from_numpy(draws(len(x_np), chunk, 43))
        k = [0]

        def step():
            i = pool[k[0] % len(pool)]
            k[0] += 1
            g(detached, x[i], y[i])
        return step

    cases = [("B8", lambda: minibatch(8), 1),
             ("B1-loop", lambda: minibatch(1), 1)]
    cases += [(f"B1-vmap{c}", (lambda c=c: per_example(c)), c) for c in args.chunks]
    for name, make, per_call in cases:
        try:
            start = time.perf_counter()
            step = make()
            step()                                  # the compile, if any, happens here
            first = time.perf_counter() - start
            results[name] = timed(step, per_call, args.seconds, args.repeats)
            results[name]["first_call_seconds"] = round(first, 2)
        except Exception as e:                     # report, do not hide: e.g. compile failures
            results[name] = {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}"}
    return results


def jax_worker(args):
    from functools import partial
    import jax
    import jax.numpy as jnp
    import tinygpt_jax
    x_np, y_np = windows()
    x, y = jnp.asarray(x_np), jnp.asarray(y_np)
    params = {k: jnp.asarray(v) for k, v in initial_parameters().items()}
    loss = partial(tinygpt_jax.loss, layers=LAYERS, heads=HEADS)

    @jax.jit
    def minibatch_grad(p, xs, ys, i):
        return jax.value_and_grad(loss)(p, xs[i], ys[i])

    @jax.jit
    def per_example_grads(p, xs, ys, i):
        return jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(p, xs[i], ys[i])

    def stepper(fn, b, seed):
        pool = [jnp.asarray(row) for row in draws(len(x_np), b, seed)[:512]]
        k = [0]

        def step():
            i = pool[k[0] % len(pool)]
            k[0] += 1
            jax.block_until_ready(fn(params, x, y, i))
        return step

    results = {}
    cases = [("B8", minibatch_grad, 8, 1, 42), ("B1-loop", minibatch_grad, 1, 1, 42)]
    cases += [(f"B1-vmap{c}", per_example_grads, c, c, 43) for c in args.chunks]
    for name, fn, b, per_call, seed in cases:
        try:
            start = time.perf_counter()
            step = stepper(fn, b, seed)
            step()
            first = time.perf_counter() - start
            results[name] = timed(step, per_call, args.seconds, args.repeats)
            results[name]["first_call_seconds"] = round(first, 2)
        except Exception as e:
            results[name] = {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}"}
    return results


def worker(args):
    import warnings
    warnings.simplefilter("ignore")       # vmap's SDPA fallback warns on every trace
    pin_threads(args.threads)
    sys.path.insert(0, str(HERE))
    if args.worker == "jax":
        results = jax_worker(args)
    else:
        results = torch_worker(args, compiled=args.worker == "torch-compile")
    print(json.dumps(results))


# ------------------------------------------------------------------ equivalence check

def check(args):
    """PyTorch (the fixture model) and JAX on one B = 8 batch at the same parameters:
    losses within 1e-5, gradient norms and gradients close, in float32 and float64;
    and per-example gradients (vmap) whose mean is the minibatch gradient."""
    import warnings
    import numpy as np
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(HERE))
    import jax
    jax.config.update("jax_enable_x64", True)
    import torch
    from torch.func import functional_call, grad, vmap
    import tinygpt_jax
    from tinygpt_jax import tensor_names
    x_np, y_np = windows()
    idx = np.array([0, 1, 17, 250, 1000, 5000, 9999, len(x_np) - 1])
    names = tensor_names(LAYERS)
    ok = True
    out = {}
    for dtype, tol_loss, tol_grad in (("float64", 1e-12, 1e-9), ("float32", 1e-5, 1e-4)):
        p_np = initial_parameters(seed=1, dtype=dtype)
        model = torch_model(p_np, dtype=dtype)
        xs, ys = torch.from_numpy(x_np[idx].astype(np.int64)), torch.from_numpy(y_np[idx].astype(np.int64))
        t_loss = model(ys, tokens=xs)
        t_grads = dict(zip([model.swift_name(n) for n, _ in model.named_parameters()],
                           torch.autograd.grad(t_loss, list(model.parameters()))))
        t_flat = np.concatenate([t_grads[n].reshape(-1).double().numpy() for n in names])
        p_j = {k: jax.numpy.asarray(v) for k, v in p_np.items()}
        loss = lambda p, a, b: tinygpt_jax.loss(p, a, b, layers=LAYERS, heads=HEADS)
        j_loss, j_grads = jax.value_and_grad(loss)(p_j, jax.numpy.asarray(x_np[idx]), jax.numpy.asarray(y_np[idx]))
        j_flat = np.concatenate([np.asarray(j_grads[n], dtype=np.float64).reshape(-1) for n in names])
        # per-example gradients, both systems: their mean must be the minibatch gradient
        params = {n: p.detach() for n, p in model.named_parameters()}
        f = lambda p, a, b: functional_call(model, p, (b[None],), {"tokens": a[None]})
        t_pe = vmap(grad(f), in_dims=(None, 0, 0))(params, xs, ys)
        by_swift = {model.swift_name(k): k for k in params}
        t_pe_mean = np.concatenate([t_pe[by_swift[n]].mean(0).reshape(-1).double().numpy() for n in names])
        j_pe = jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(p_j, jax.numpy.asarray(x_np[idx]), jax.numpy.asarray(y_np[idx]))
        j_pe_mean = np.concatenate([np.asarray(j_pe[n], dtype=np.float64).mean(0).reshape(-1) for n in names])
        rel = lambda a, b: float(np.linalg.norm(a - b) / np.linalg.norm(b))
        r = {"torch_loss": t_loss.item(), "jax_loss": float(j_loss),
             "loss_difference": abs(float(t_loss) - float(j_loss)),
             "torch_grad_norm": float(np.linalg.norm(t_flat)), "jax_grad_norm": float(np.linalg.norm(j_flat)),
             "grad_relative_difference": rel(j_flat, t_flat),
             "torch_per_example_mean_vs_minibatch": rel(t_pe_mean, t_flat),
             "jax_per_example_mean_vs_minibatch": rel(j_pe_mean, j_flat)}
        r["grad_norm_relative_difference"] = abs(r["torch_grad_norm"] - r["jax_grad_norm"]) / r["torch_grad_norm"]
        passed = (r["loss_difference"] <= tol_loss and r["grad_relative_difference"] <= tol_grad
                  and r["torch_per_example_mean_vs_minibatch"] <= tol_grad
                  and r["jax_per_example_mean_vs_minibatch"] <= tol_grad)
        r["passed"] = passed
        r["tolerances"] = {"loss": tol_loss, "gradient_relative": tol_grad}
        ok &= passed
        out[dtype] = r
    if args.json:
        print(json.dumps({"windows": idx.tolist(), "parameters": PARAMETERS, **out}, indent=1))
    else:
        print(f"tinygpt, {PARAMETERS} parameters, windows {idx.tolist()}, PyTorch (fixture model) vs JAX")
        for dtype, r in out.items():
            print(f"  {dtype}: loss {r['torch_loss']:.9f} vs {r['jax_loss']:.9f} (|Δ| {r['loss_difference']:.2e}), "
                  f"|grad| {r['torch_grad_norm']:.9f} vs {r['jax_grad_norm']:.9f} "
                  f"(gradients differ by {r['grad_relative_difference']:.1e} relative); mean of per-example "
                  f"gradients vs minibatch: torch {r['torch_per_example_mean_vs_minibatch']:.1e}, "
                  f"jax {r['jax_per_example_mean_vs_minibatch']:.1e}  {'ok' if r['passed'] else 'FAILED'}")
    return 0 if ok else 1


# ------------------------------------------------------------------ noisescope and the driver

def noisescope_rates(binary, args, attempts=3, quiet_load=0.25):
    """B = 8: `bench --json`, the tinygpt row with the default parallelism (its median
    round; best round alongside; bench's own background_load), and its one-core row. B = 1: `measure --batch 1`, its
    grads_per_second, median of `repeats` runs. As for the peers, a measurement made
    while the machine was oversubscribed is taken again (up to `attempts` in all) and
    the least disturbed kept. --full-batches 64: with a single
    B = 1 batch as ∇f the same window comes round again with noise norm exactly 0,
    which `measure` does not survive (a precondition failure in OrderStatistics)."""
    import resource

    def command(argv):
        busy0, kids0, t0 = system_busy_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        stdout = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
        kids1, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter() - t0
        own = (kids1.ru_utime + kids1.ru_stime) - (kids0.ru_utime + kids0.ru_stime)
        return json.loads(stdout), max(0.0, system_busy_seconds() - busy0 - own) / wall, own / wall

    benches = []
    for _ in range(attempts):
        bench, _, _ = command([binary, "bench", "--json", "--seconds", str(args.ns_seconds)])
        rows = [m for m in bench["models"] if m["model"] == "tinygpt" and m["batch_size"] == 8]
        benches.append((rows[0]["background_load"], bench, rows))
        if not oversubscribed(rows[0]["background_load"], 2 if rows[0]["parallelism"] != "data-parallel×1" else 1,
                              quiet_load):
            break
    _, bench, rows = min(benches, key=lambda b: b[0])
    default, one_core = rows[0], next((m for m in rows if m["parallelism"] == "data-parallel×1"), None)
    measures = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(attempts):
            runs = [command([binary, "measure", "--batch", "1", "--samples", str(args.ns_samples),
                             "--full-batches", "64", "--bootstrap", "0", "--json", "--quiet", "--out", out])
                    for _ in range(args.repeats)]
            measures.append((max(load for _, load, _ in runs), [summary["grads_per_second"] for summary, _, _ in runs]))
            if not any(oversubscribed(load, used, quiet_load) for _, load, used in runs):
                break
    b1_load, per_example = min(measures, key=lambda m: m[0])
    row = lambda m: {"grads_per_second": m["median_grads_per_second"], "best_round": m["grads_per_second"],
                     "parallelism": m["parallelism"], "background_load": m["background_load"],
                     "attempts": len(benches)}
    return {
        "B8": row(default),
        "B8-1core": None if one_core is None else row(one_core),
        "B1": {"grads_per_second": statistics.median(per_example), "repeats": [round(r, 2) for r in per_example],
               "samples": args.ns_samples, "background_load": round(b1_load, 2), "attempts": len(measures),
               "note": "measure --batch 1: per-example gradients from batched passes of 8 windows, "
                       "noise-norm bookkeeping included"},
        "measure_overhead_B8": bench.get("measure_overhead"),
        "openblas": bench.get("openblas"), "openblas_core": bench.get("openblas_core"),
        "sgemm_gflops": bench.get("sgemm_gflops"),
    }


def cpu_description():
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        return platform.processor()
    fields = dict(re.findall(r"^([^:\n]+):\s*(.*)$", text, flags=re.M))
    keep = ["Model name", "CPU family", "Model", "CPU(s)", "Thread(s) per core", "L2 cache", "L3 cache",
            "Hypervisor vendor"]
    return {k: fields[k] for k in keep if k in fields}


def versions(python):
    code = ("import json, sys, numpy, torch, jax, jaxlib; print(json.dumps({'python': sys.version.split()[0], "
            "'numpy': numpy.__version__, 'torch': torch.__version__, 'jax': jax.__version__, "
            "'jaxlib': jaxlib.__version__}))")
    v = json.loads(subprocess.run([python, "-c", code], check=True, capture_output=True, text=True).stdout)
    try:
        v["noisescope_commit"] = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                                capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    return v


def run_worker(system, threads, args):
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", system, "--threads", str(threads),
           "--seconds", str(args.seconds), "--repeats", str(args.repeats),
           "--chunks", ",".join(map(str, args.chunks))]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"error": f"worker exited {proc.returncode}: {tail[:300]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def best(peers, kinds):
    """The fastest (system, threads, mode) among `kinds` (mode names), over all peers."""
    candidates = []
    for (system, threads), modes in peers.items():
        for mode, r in modes.items():
            if mode in kinds and "grads_per_second" in r:
                candidates.append((r["grads_per_second"], system, threads, mode))
    return max(candidates) if candidates else None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    ap.add_argument("--check", action="store_true", help="only check PyTorch/JAX equivalence on one batch")
    ap.add_argument("--seconds", type=float, default=0.5, help="minimum seconds per timed repeat (and ≥ 50 calls)")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats; the median is reported")
    ap.add_argument("--chunks", default="8,32", help="vmap chunk sizes for per-example gradients, comma-separated")
    ap.add_argument("--threads", default="1,2", help="thread counts for the peers")
    ap.add_argument("--systems", default="torch-eager,torch-compile,jax", help="peers to time")
    ap.add_argument("--binary", default=str(ROOT / ".build" / "release" / "noisescope"), help="noisescope release binary")
    ap.add_argument("--ns-seconds", type=float, default=1.0, help="noisescope bench --seconds")
    ap.add_argument("--ns-samples", type=int, default=3000, help="measure --batch 1 --samples")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.chunks = [int(c) for c in str(args.chunks).split(",") if c]
    if args.worker:
        args.threads = int(args.threads)
        return worker(args)
    if args.check:
        return check(args)

    started = time.time()
    binary = args.binary
    if not Path(binary).exists():
        sys.exit(f"no noisescope binary at {binary}: swift build -c release --product noisescope (or --binary)")
    say = (lambda *a: None) if args.json else (lambda *a: print(*a, file=sys.stderr, flush=True))
    say("noisescope bench and measure --batch 1 ...")
    ns = noisescope_rates(binary, args)
    say(f"  {time.time() - started:.0f} s")
    peers = {}
    for system in args.systems.split(","):
        for threads in [int(t) for t in args.threads.split(",")]:
            say(f"{system} on {threads} thread(s) ...")
            t0 = time.perf_counter()
            peers[(system, threads)] = run_worker(system, threads, args)
            say(f"  {time.perf_counter() - t0:.0f} s")
    b8 = best(peers, {"B8"})
    b1 = best(peers, {"B1-loop"} | {f"B1-vmap{c}" for c in args.chunks})
    report = {
        "cpu": cpu_description(), "cores": os.cpu_count(), "versions": versions(sys.executable),
        "settings": {"seconds_per_repeat": args.seconds, "repeats": args.repeats, "min_calls_per_repeat": 50,
                     "vmap_chunks": args.chunks, "dtype": "float32", "parameters": PARAMETERS},
        "noisescope": ns,
        "peers": [{"system": s, "threads": t, "modes": m} for (s, t), m in peers.items()],
        "best_peer_B8": None if b8 is None else {"system": b8[1], "threads": b8[2], "mode": b8[3], "grads_per_second": b8[0]},
        "best_peer_B1": None if b1 is None else {"system": b1[1], "threads": b1[2], "mode": b1[3], "grads_per_second": b1[0]},
        "ratio_B8": None if b8 is None else ns["B8"]["grads_per_second"] / b8[0],
        "ratio_B1": None if b1 is None else ns["B1"]["grads_per_second"] / b1[0],
        "wall_seconds": round(time.time() - started, 1),
    }
    if args.json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        print(table(report))
    return 0


def table(r):
    lines = [f"CPU: {r['cpu'].get('Model name', '?')} (family {r['cpu'].get('CPU family', '?')}, model "
             f"{r['cpu'].get('Model', '?')}), {r['cores']} cores",
             "versions: " + ", ".join(f"{k} {v}" for k, v in r["versions"].items())
             + f"; OpenBLAS {r['noisescope']['openblas_core']}",
             "tinygpt (120,576 parameters, float32), gradients per second: median of "
             f"{r['settings']['repeats']} repeats of ≥ {r['settings']['seconds_per_repeat']} s and ≥ 50 calls",
             "",
             f"{'system':<16}{'threads':>8}  {'B = 8 minibatch':>16}  {'B = 1 loop':>12}"
             + "".join(f"  {'B = 1 vmap×' + str(c):>14}" for c in r["settings"]["vmap_chunks"])
             + "  cores used per column (other processes' load)"]
    ns = r["noisescope"]
    lines.append(f"{'noisescope':<16}{'2':>8}  {ns['B8']['grads_per_second']:>16.1f}  {ns['B1']['grads_per_second']:>12.1f}"
                 + "".join(f"  {'—':>14}" for _ in r["settings"]["vmap_chunks"])
                 + f"  {ns['B8']['parallelism']}, B = 1 via measure  (background ≤ "
                 + f"{max(ns['B8']['background_load'], ns['B1']['background_load']):.2f})")
    if ns.get("B8-1core"):
        lines.append(f"{'noisescope':<16}{'1':>8}  {ns['B8-1core']['grads_per_second']:>16.1f}  {'—':>12}"
                     + "".join(f"  {'—':>14}" for _ in r["settings"]["vmap_chunks"])
                     + f"  {ns['B8-1core']['parallelism']}  (background ≤ {ns['B8-1core']['background_load']:.2f})")

    def cell(m, width):
        if m is None:
            return f"{'—':>{width}}"
        if "error" in m:
            return f"{'failed':>{width}}"
        return f"{m['grads_per_second']:>{width}.1f}"

    errors = []
    for p in r["peers"]:
        modes = p["modes"]
        if "error" in modes:
            errors.append(f"{p['system']} ×{p['threads']}: {modes['error']}")
            modes = {}
        cores = "/".join(f"{m['cores_used']:.1f}" for m in modes.values() if "cores_used" in m)
        loads = [m["background_load"] for m in modes.values() if m.get("background_load") is not None]
        cores += f"  (background ≤ {max(loads):.2f})" if loads else ""
        lines.append(f"{p['system']:<16}{p['threads']:>8}  {cell(modes.get('B8'), 16)}  {cell(modes.get('B1-loop'), 12)}"
                     + "".join(f"  {cell(modes.get(f'B1-vmap{c}'), 14)}" for c in r["settings"]["vmap_chunks"])
                     + f"  {cores}")
        errors += [f"{p['system']} ×{p['threads']} {k}: {m['error']}" for k, m in modes.items() if "error" in m]
    lines.append("")
    for key, label in (("B8", "B = 8"), ("B1", "B = 1")):
        b = r[f"best_peer_{key}"]
        if b:
            lines.append(f"{label}: noisescope {ns[key]['grads_per_second']:.1f} grads/s vs best peer {b['system']} "
                         f"×{b['threads']} {b['mode']} {b['grads_per_second']:.1f}: ratio {r[f'ratio_{key}']:.2f}")
    lines += ["failed: " + e for e in errors]
    lines.append(f"(B = 1 per-example gradients: the 'loop' column is one B = 1 call per gradient, the vmap "
                 f"columns vmap(grad) over chunks of that many windows; noisescope's B = 1 is measure --batch 1 "
                 f"(batched per-example passes of 8), bookkeeping included. {r['wall_seconds']} s in all.)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
