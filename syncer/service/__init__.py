"""The parts of the long-running service: alerts, Prometheus metrics and the HTTP server of
``syncer watch``. [service: above the engine, below the composition root]

``alerts`` tells the administrators (a log line, a webhook, a command); ``metrics`` keeps the
service's Prometheus registry, fed after each run; ``http`` serves ``/healthz`` and
``/metrics``. The health verdict itself is pure and lives in the core (``core.health``).
"""
