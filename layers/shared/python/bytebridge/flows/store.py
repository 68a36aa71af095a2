"""Saved flow versions as Flow objects: immutable once saved, so each is read once per process."""

from functools import lru_cache

from bytebridge.dal.flows import flow_definition
from bytebridge.flows.model import Flow


@lru_cache(maxsize=256)
def load_flow(project_id: str, version: int) -> Flow:
    return Flow.model_validate(flow_definition(project_id, version))
