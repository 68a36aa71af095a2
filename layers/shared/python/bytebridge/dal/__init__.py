"""Data access: pynamodb models (the one source of truth for table schemas) and their functions."""
