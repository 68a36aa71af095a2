"""Helpers of the delivery tests: projects whose items were delivered (written through the DAL, as the
engine writes them), sent mail from moto's SES backend, and the delivery call paths."""

import uuid

from bytebridge.clock import now_ms
from bytebridge.dal.items import ItemModel
from bytebridge.dal.projects import ProjectModel
from bytebridge.enums import Acceptance, ItemStatus, ProjectStatus
from local.outbox import SentMail, parsed_mails
from tests.support.client import ClientApi
from tests.support.client_api import project_with_resources, set_status

LIST = "/api/v1/projects/listResults"
RETRIEVE_RESULT = "/api/v1/projects/retrieveResult"
ACCEPT = "/api/v1/projects/acceptResults"
SET_CALLBACK = "/api/v1/projects/setCallback"
DAY_MS = 24 * 3600 * 1000


def urls(count: int) -> list[str]:
    return [f"https://files.example.com/img/{n:04d}.jpg" for n in range(count)]


def items_of(project_id: str) -> list[ItemModel]:
    return list(ItemModel.query(project_id, consistent_read=True))


def answer(choice: str) -> dict:
    return {"endNode": "end", "path": ["classify", "end"], "answers": {"classify": {"choice": choice}}}


def deliver(item: ItemModel, delivered_at: int, choice: str = "cat", **extra) -> ItemModel:
    """Write a finished item the way the engine does (result, delivered_at, acceptance pending)."""
    values = {
        "status": ItemStatus.COMPLETED.value,
        "result": answer(choice),
        "delivered_at": delivered_at,
        "acceptance": Acceptance.PENDING.value,
        "flow_version": 1,
        "updated_at": delivered_at,
        **extra,
    }
    item.update(actions=[getattr(ItemModel, name).set(value) for name, value in values.items()])
    return item


def delivered_project(api: ClientApi, count: int, *, delivered: int | None = None, age_ms: int = 0) -> tuple:
    """A running project with `count` items, the first `delivered` of them delivered `age_ms` ago (a
    millisecond apart, in upload order). Returns (project_id, items in upload order)."""
    project_id = project_with_resources(api, urls(count), projectName=f"delivery {uuid.uuid4().hex[:8]}")
    set_status(api, project_id, ProjectStatus.IN_PROGRESS)
    items = sorted(items_of(project_id), key=lambda item: item.item_id)
    start = now_ms() - age_ms
    for n, item in enumerate(items[: count if delivered is None else delivered]):
        deliver(item, start + n, choice="cat" if n % 2 == 0 else "dog")
    return project_id, items


def project_row(api: ClientApi, project_id: str) -> ProjectModel:
    return ProjectModel.get(api.user_id, project_id, consistent_read=True)


def sent_mail() -> list[SentMail]:
    """Every mail moto's SES accepted in this test, oldest first, parsed (subject, body = the text part, html, to,
    kind: local.outbox); local.reset forgets sent mail between tests."""
    return parsed_mails()
