"""Pydantic models at the boundaries: API request bodies and responses."""
