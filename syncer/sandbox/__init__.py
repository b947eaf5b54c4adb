"""The sandbox: a local emulator of the part of Notion's REST API that syncer uses.

It imports nothing from the rest of syncer.
"""

from __future__ import annotations
