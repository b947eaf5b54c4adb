"""The fault campaign: seeded scenarios against a sandbox each, checked by an independent oracle.

Run it with ``python -m tests.chaos --scenarios N --seed S --jobs 2`` (``make chaos`` runs 1,000
and writes ``docs/reliability.md``); replay one scenario with ``--scenarios 1 --seed SEED``.
"""
