"""E-mail notices through SES: items ready for acceptance (one mail per project per notifier run, however
many items arrived), project completed, and files about to be purged.

Events only record that a mail is due (a sparse index over the delivery rows); the scheduled notifier sends
them. So the engine never waits on SES, and a burst of finished items becomes a single mail.
"""

import logging
from dataclasses import dataclass

from bytebridge.clock import now_ms
from bytebridge.dal.delivery import count_ready_item, queue_status_mail, settle_notices, waiting_notices
from bytebridge.dal.projects import ProjectModel, find_project
from bytebridge.delivery import notices
from bytebridge.delivery.notices import Kind
from bytebridge.enums import ProjectStatus

log = logging.getLogger(__name__)

# Docs (FAQ): "项目有任何状态的变化我们都会发邮件通知您". Not draft (nothing happened yet: a review's rejection is
# mailed by the review itself, with its reasons), ending (completed follows) nor deleted (the client did it).
STATUS_KINDS = {
    ProjectStatus.CHECKING: Kind.PROJECT_SUBMITTED,
    ProjectStatus.TRIAL: Kind.REVIEW_PASSED,
    ProjectStatus.TRIAL_DONE: Kind.TRIAL_FINISHED,
    ProjectStatus.WAITING_PAYMENT: Kind.WAITING_PAYMENT,
    ProjectStatus.IN_PROGRESS: Kind.PROJECT_STARTED,
    ProjectStatus.PAUSED: Kind.PAUSED_BY_SYSTEM,
    ProjectStatus.COMPLETED: Kind.COMPLETED,
}
MAILED_STATUSES = frozenset(STATUS_KINDS)
ACCEPT_WITHIN_MS = 21 * 24 * 3600 * 1000  # delivered items not rejected within 21 days are accepted


def note_item_ready(project: ProjectModel) -> None:
    """Count one more delivered item into the project's next "ready for acceptance" mail."""
    count_ready_item(project.project_id, project.user_id, now_ms())


def note_status(project: ProjectModel, new_status: str) -> None:
    """Queue a mail about the project's new status (docs: every status change is mailed). Between two notifier
    runs only the latest status is mailed; a repeated event for the status just mailed is ignored."""
    if new_status not in MAILED_STATUSES:
        return
    queue_status_mail(project.project_id, project.user_id, new_status, now_ms())


@dataclass
class NotifyReport:
    ready_mails: int = 0
    status_mails: int = 0


def _about(project: ProjectModel) -> dict:
    return {"project_name": project.name, "project_id": project.project_id}


def send_pending_notices() -> NotifyReport:
    """The notifier: one mail per project with newly delivered items, plus due status mails. Safe to run
    twice: what was mailed is settled on the row, so a second run finds nothing. (Message threads have their own
    notifier, bytebridge.delivery.messages.send_quiet_thread_notices.)"""
    report = NotifyReport()
    for row in waiting_notices():  # each re-read: the index lags, the row is the truth
        project = find_project(row.project_id)
        ready, status = max(row.ready_count or 0, 0), row.pending_status
        if project is not None and project.status != ProjectStatus.DELETED:  # a deleted project mails nothing
            deadline = (row.ready_since or now_ms()) + ACCEPT_WITHIN_MS
            if ready and notices.send(
                Kind.RESULTS_READY, project.user_id, count=ready, deadline=deadline, **_about(project)
            ):
                report.ready_mails += 1
            kind = STATUS_KINDS.get(ProjectStatus(status)) if status in MAILED_STATUSES else None
            if kind and notices.send(kind, project.user_id, **_about(project)):
                report.status_mails += 1
        settle_notices(row, ready, status)  # what arrived after our read stays for the next run
    return report
