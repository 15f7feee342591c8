"""Reading back the scalars of scalars.py where the loggers put them, for the
tests: the numbers a window should carry, computed from the noise log alone;
TensorBoard event files (TensorBoard's own reader); W&B offline run files
(run-*.wandb: W&B's record log, read with its protobuf definitions); a stand-in
noisescope binary with a fixed verdict."""

from __future__ import annotations

import glob
import json
import os
import struct
from typing import Dict, List, Tuple

import numpy as np

from noisescope_torch import read_log

STAND_IN = {"verdict": "heavy", "verdict_reason": "stand-in", "n": 77,
            "evidence": {"alpha": 3.5, "alpha_ci95": [2.5, 4.75]}}


def fake_binary(directory, verdict: str = "heavy") -> str:
    """A stand-in for noisescope: appends its arguments to fake-args.txt, prints a fixed verdict."""
    path = os.path.join(str(directory), "fake-noisescope")
    reply = dict(STAND_IN, verdict=verdict)
    with open(path, "w") as f:
        f.write(f"#!/bin/sh\necho \"$@\" >> {directory}/fake-args.txt\necho '{json.dumps(reply)}'\n")
    os.chmod(path, 0o755)
    return path


def expected_windows(log_dir: str, window: int) -> List[Tuple[int, Dict[str, float]]]:
    """(last step, scalars without prefix) of each window of ``window`` records, from the log files."""
    log = read_log(log_dir)
    groups = log.manifest["groups"]
    member = np.zeros((len(groups), len(log.manifest["tensors"])))
    for t, tensor in enumerate(log.manifest["tensors"]):
        member[tensor["group"], t] = 1
    out = []
    for k in range(0, len(log.steps), window):
        records = log.steps[k:k + window]
        steps = [r["step"] for r in records]
        x = log.per_example[np.isin(log.per_example_steps, steps)]
        median, q99 = np.quantile(x, [0.5, 0.99])
        per_group = member @ np.sum([r["noise_sq_by_tensor"] for r in records], axis=0)
        want = {"noise_median": median, "noise_q99": q99, "noise_q99_over_median": q99 / median,
                "b_simple_ema": records[-1]["b_simple_ema"],
                "samples": float(np.sum(log.per_example_steps <= steps[-1]))}
        want.update({f"share/{g}": v for g, v in zip(groups, per_group / per_group.sum())})
        out.append((steps[-1], want))
    return out


def tensorboard_scalars(directory) -> Dict[str, Dict[int, float]]:
    """{tag: {step: value}} of every event file under ``directory``."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    out: Dict[str, Dict[int, float]] = {}
    for events in sorted(glob.glob(os.path.join(str(directory), "**", "events.out.tfevents.*"), recursive=True)):
        acc = EventAccumulator(events, size_guidance={"scalars": 0})
        acc.Reload()
        for tag in acc.Tags()["scalars"]:
            out.setdefault(tag, {}).update({e.step: e.value for e in acc.Scalars(tag)})
    return out


def wandb_history(wandb_dir) -> List[Dict[str, object]]:
    """The history rows of the one offline run under ``wandb_dir``: its
    run-*.wandb file is a LevelDB-style log (a 7-byte header ':W&B', 0xBEE1,
    version 0; 32 KiB blocks of records, each with a 7-byte header: CRC-32,
    length, type full 1 / first 2 / middle 3 / last 4) of W&B ``Record`` protobufs."""
    from wandb.proto import wandb_internal_pb2

    paths = glob.glob(os.path.join(str(wandb_dir), "wandb", "offline-run-*", "run-*.wandb"))
    assert len(paths) == 1, paths
    data = open(paths[0], "rb").read()
    assert data[:4] == b":W&B" and struct.unpack("<HB", data[4:7]) == (0xBEE1, 0)
    rows, pos, block, parts = [], 7, 32768, b""
    while pos + 7 <= len(data):
        left = block - pos % block
        _, length, kind = struct.unpack("<IHB", data[pos:pos + 7]) if left >= 7 else (0, 0, 0)
        if left < 7 or (kind == 0 and length == 0):
            pos += left
            continue
        parts += data[pos + 7:pos + 7 + length]
        pos += 7 + length
        if kind in (1, 4):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(parts)
            parts = b""
            if record.WhichOneof("record_type") == "history":
                rows.append({(i.key or "/".join(i.nested_key)): json.loads(i.value_json) for i in record.history.item})
    return rows
