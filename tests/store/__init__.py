"""Tests of syncer.store: real SQLite files, written to by stdlib sqlite3 as a foreign app."""

from __future__ import annotations
