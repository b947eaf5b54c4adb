"""Run csv2notion-neo's command line against another Notion API base URL (the sandbox).

This file runs inside csv2notion-neo's own virtual environment (``bench/.venv-csv2notion``),
never in syncer's: it imports nothing of syncer. csv2notion-neo builds its
``notion_client.Client(auth=..., notion_version=...)`` without a ``base_url`` and reads no
variable for one, so this wraps the ``Client`` name its adapter module imported with one that
passes ``base_url=$BENCH_NOTION_BASE_URL``; nothing else of the tool is changed.

``BENCH_CSV2NOTION_RPS`` (optional) replaces its client-side throttle of 3 requests per second,
for the scaling runs that lift the rate limit for every tool.

Usage: ``BENCH_NOTION_BASE_URL=http://127.0.0.1:PORT python bench/csv2notion_launcher.py ARGS``
"""

from __future__ import annotations

import functools
import os
import sys


def main() -> None:
    import notion_client  # type: ignore[import-not-found,unused-ignore]
    from csv2notion_neo import cli  # type: ignore[import-not-found,unused-ignore]
    from csv2notion_neo import notion_client as adapter  # type: ignore[import-not-found,unused-ignore]

    adapter.Client = functools.partial(
        notion_client.Client, base_url=os.environ["BENCH_NOTION_BASE_URL"]
    )
    rps = os.environ.get("BENCH_CSV2NOTION_RPS")
    if rps:
        adapter._REQUESTS_PER_SECOND = float(rps)
    sys.argv = ["csv2notion_neo", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
