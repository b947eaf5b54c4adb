"""Benchmarks: runnable scripts that measure the syncer and the sandbox."""

from __future__ import annotations
