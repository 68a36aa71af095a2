"""E-mail notices through SES: items ready for acceptance (one mail per project per notifier run, however
many items arrived), project completed, and files about to be purged.

Events only record that a mail is due (a sparse index over the delivery rows); the scheduled notifier sends
them. So the engine never waits on SES, and a burst of finished items becomes a single mail.
"""

import logging
from dataclasses import dataclass

from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import get_account
from bytebridge.dal.delivery import count_ready_item, queue_status_mail, settle_notices, waiting_notices
from bytebridge.dal.projects import ProjectModel, find_project
from bytebridge.enums import ProjectStatus
from bytebridge.settings import get_settings

log = logging.getLogger(__name__)

# Docs (FAQ): "项目有任何状态的变化我们都会发邮件通知您". Not draft (nothing happened yet) nor deleted (the
# client did it and the data is about to go).
MAILED_STATUSES = frozenset(set(ProjectStatus) - {ProjectStatus.DRAFT, ProjectStatus.DELETED})
_STATUS_LINES = {
    ProjectStatus.CHECKING: "was submitted and is being reviewed by our operators (usually within one working day).",
    ProjectStatus.TRIAL: "passed review; a trial sample is being labeled.",
    ProjectStatus.TRIAL_DONE: "finished its trial: please check the trial results and accept them or ask for changes.",
    ProjectStatus.WAITING_PAYMENT: "is waiting for the pre-charge of its estimated cost.",
    ProjectStatus.IN_PROGRESS: "is in progress.",
    ProjectStatus.PAUSED: "is paused.",
    ProjectStatus.COMPLETED: "is completed: every item has been labeled. Export the results or use listResults.",
}


def send_mail(to: str, subject: str, text: str) -> str:
    """One plain-text mail from the platform's verified sender; returns the SES message id."""
    out = client("ses").send_email(
        Source=get_settings().notify_from,
        Destination={"ToAddresses": [to]},
        Message={
            "Subject": {"Data": subject, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
        },
    )
    return out["MessageId"]


def mail_account(user_id: str, subject: str, text: str) -> bool:
    account = get_account(user_id)
    if account is None or not account.email:
        return False
    send_mail(account.email, subject, text)
    return True


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


def _ready_text(project: ProjectModel, count: int) -> str:
    return (
        f"{count} item(s) of your project {project.name} ({project.project_id}) were delivered and wait for your "
        "acceptance.\n\nReview them with listResults / acceptResults or in the dashboard. Rejected items are "
        "reworked free of charge within 21 days of delivery; items not rejected within 21 days are accepted "
        "automatically."
    )


def _status_text(project: ProjectModel, status: str) -> str:
    return f"Your project {project.name} ({project.project_id}) {_STATUS_LINES[ProjectStatus(status)]}"


def send_pending_notices() -> NotifyReport:
    """The notifier: one mail per project with newly delivered items, plus due status mails. Safe to run
    twice: what was mailed is settled on the row, so a second run finds nothing."""
    report = NotifyReport()
    for row in waiting_notices():  # each re-read: the index lags, the row is the truth
        project = find_project(row.project_id)
        ready, status = max(row.ready_count or 0, 0), row.pending_status
        if project is not None and project.status != ProjectStatus.DELETED:  # a deleted project mails nothing
            subject = f"[ByteBridge] {ready} result(s) ready: {project.name}"
            if ready and mail_account(project.user_id, subject, _ready_text(project, ready)):
                report.ready_mails += 1
            subject = f"[ByteBridge] Project {status}: {project.name}"
            if status and mail_account(project.user_id, subject, _status_text(project, status)):
                report.status_mails += 1
        settle_notices(row, ready, status)  # what arrived after our read stays for the next run
    return report
