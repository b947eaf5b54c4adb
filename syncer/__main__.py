"""`python -m syncer`: the same entry point as the `syncer` console script."""

from __future__ import annotations

from syncer.cli import main

main()
