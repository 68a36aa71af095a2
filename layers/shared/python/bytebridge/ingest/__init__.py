"""Admission: every new item is checked once, from its first bytes, before it may be launched (docs/ingest.md)."""
