"""Shared test configuration: the hypothesis profiles, chosen by environment variable.

``HYPOTHESIS_PROFILE`` picks one of ``ci`` (derandomized, 100 examples, no deadline), ``dev``
(quick local runs) or ``deterministic`` (derandomized with the default example count, for
reproducing a failure); without it, ``ci`` is used when ``CI`` is set and ``dev`` otherwise.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, max_examples=100, deadline=None)
settings.register_profile(
    "dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
