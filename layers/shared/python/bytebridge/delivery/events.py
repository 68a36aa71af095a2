"""What the engine (and the project lifecycle) tell delivery: an item finished, a project changed status.
Each queues the client's signed callback (when the project has a callback URL) and records the e-mail
notice the scheduled notifier sends. Neither waits on the client's endpoint or on SES."""

from bytebridge.dal.imports import drop_credentials
from bytebridge.dal.items import get_item
from bytebridge.dal.projects import find_project
from bytebridge.delivery import callbacks, notify
from bytebridge.enums import Acceptance, ProjectStatus
from bytebridge.models.results import CallbackEvent


def on_item_finished(project_id: str, item_id: str) -> None:
    """Call after the item's result, delivered_at and acceptance are written (completed or failed)."""
    project = find_project(project_id)
    if project is None:
        return
    item = get_item(project_id, item_id)
    if item is None:
        return
    # Delivered: the client has something to accept. Trial results are announced by the trial-finished mail.
    if item.acceptance == Acceptance.PENDING and project.status != ProjectStatus.TRIAL:
        notify.note_item_ready(project)
    callbacks.enqueue_event(CallbackEvent.ITEM_FINISHED, project.user_id, project_id, item_id=item_id)


def on_project_status(project_id: str, old_status: str, new_status: str) -> None:
    """Call after the project's status changed from old_status to new_status."""
    project = find_project(project_id)
    if project is None or old_status == new_status:
        return
    if new_status == ProjectStatus.COMPLETED:  # completed or ended: its items are no longer read from clients' buckets
        drop_credentials(project_id)
    notify.note_status(project, new_status)
    callbacks.enqueue_event(
        CallbackEvent.PROJECT_STATUS, project.user_id, project_id, old_status=old_status, new_status=new_status
    )
