"""The noisescope command, packaged for pip.

This wheel carries the ``noisescope`` binary (Swift runtime, GSL and OpenBLAS
linked in) and its bundled data, so a Python user gets the verdict without a
Swift toolchain. ``noisescope ...`` on the command line runs the binary;
:func:`binary_path` gives its path to other packages (``noisescope_torch``
finds it this way).
"""

from __future__ import annotations

import os
import sys

__all__ = ["binary_path", "main", "__version__"]

__version__ = "@VERSION@"

_HERE = os.path.dirname(os.path.abspath(__file__))


def binary_path() -> str:
    """The path of the bundled ``noisescope`` executable."""
    return os.path.join(_HERE, "_native", "bin", "noisescope")


def main() -> None:
    """The ``noisescope`` console command: replaces this Python process with the
    binary, so its exit status, signals and standard streams are the binary's own."""
    path = binary_path()
    if not os.access(path, os.X_OK):
        sys.stderr.write(f"noisescope: error: the bundled binary {path} is missing or not executable; reinstall the wheel\n")
        raise SystemExit(1)
    os.execv(path, [path] + sys.argv[1:])
