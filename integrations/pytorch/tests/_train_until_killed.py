"""Launched twice (RANK=0, 1) by test_killed_run.py, which SIGKILLs it."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _workers import run_killable_training  # noqa: E402

if __name__ == "__main__":
    run_killable_training()
