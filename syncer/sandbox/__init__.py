"""The sandbox: a local emulator of the part of Notion's REST API that syncer uses, in versions
2025-09-03 and 2022-06-28 (each request's ``Notion-Version`` picks; one workspace serves both).

Start it with ``syncer sandbox serve`` or, in process, with
:func:`syncer.sandbox.server.serve_in_thread` (see ``server.py`` and docs/sandbox.md).
It imports nothing from the rest of syncer.
"""

from __future__ import annotations
