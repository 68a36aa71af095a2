"""What operators do (the operator API, /operator/v1, `operators` group only): the review queue, approve with a
trial size, reject with reasons, trial disputes and their answers (with free relabeling), a project's negotiated
prices, starting a project that waits for payment without the client's confirm (an override), and the audit log.
Every action is audited (bytebridge.dal.audit) after it took effect.

Errors are bytebridge.logic.lifecycle.LifecycleError (HTTP statuses): 404 unknown project, 409 the project is not
(or no longer) in a status that allows the action (another operator acted first), 400 invalid input.
"""

import base64
import binascii
import json
from collections.abc import Iterable
from typing import Any

from bytebridge.billing import ledger, prices
from bytebridge.clock import now_ms
from bytebridge.dal import audit
from bytebridge.dal import messages as threads
from bytebridge.dal.accounts import get_account, user_id_for_email
from bytebridge.dal.history import history, transition
from bytebridge.dal.items import get_items, mark_for_relabel, sample_items, trial_items
from bytebridge.dal.projects import (
    ProjectModel,
    find_project,
    projects_of,
    set_project_fields,
    set_trial_size,
    with_status,
)
from bytebridge.delivery import messages, notices
from bytebridge.engine.launch import launch_items, start_project
from bytebridge.enums import ProjectStatus, ReviewReason
from bytebridge.logic.flows import current_flow
from bytebridge.logic.lifecycle import Conflict, LifecycleError, NotFound, begin_trial, trial_sample_size
from bytebridge.logic.project_list import list_projects
from bytebridge.models.project_list import ListProjectsParams

S = ProjectStatus
SAMPLE_ITEMS = 5
MAX_NOTE = 2000
MAX_ANSWER = 10_000


def _project(project_id: str) -> ProjectModel:
    project = find_project(project_id)
    if project is None or project.status_enum is S.DELETED:
        raise NotFound(f"no project {project_id}")
    return project


def _audit(operator: str, action: str, target: str, **details: Any) -> None:
    audit.record(operator, action, target, details, now_ms())


def _conflict(project_id: str, wanted: Iterable[ProjectStatus], action: str) -> Conflict:
    current = find_project(project_id)
    status = current.status if current is not None else "gone"
    names = " or ".join(str(s) for s in wanted)
    return Conflict(f"cannot {action} {project_id}: it is {status}, not {names} (someone acted first?)")


# ---- review -------------------------------------------------------------------------------------------------


def review_queue(limit: int = 50) -> list[dict]:
    """Projects waiting for review, oldest submission first: flow, sample items with their data links, type,
    item count, the proposed trial size, and the account's history (projects, past rejections)."""
    queue = []
    for hit in with_status(S.CHECKING):
        project = find_project(hit.project_id)  # the index lags: re-read
        if project is None or project.status_enum is not S.CHECKING:
            continue
        flow, origin = current_flow(project)
        account = get_account(project.user_id)
        others = projects_of(project.user_id)
        rejections = sum(
            1
            for other in others
            for row in history(other.project_id)
            if row.from_status == S.CHECKING and row.to_status == S.DRAFT
        )
        queue.append(
            {
                "projectId": project.project_id,
                "userId": project.user_id,
                "email": account.email if account else None,
                "name": project.name,
                "type": project.type,
                "taskType": project.task_type,
                "instruction": project.instruction or "",
                "submittedAt": project.updated_at,
                "itemCount": project.item_count,
                "trialSize": trial_sample_size(project.item_count, project.trial_size),
                "flowOrigin": origin,
                "flow": flow.dump(),
                "sampleItems": [
                    {"itemId": item.item_id, "dataUrl": item.url}
                    for item in sample_items(project.project_id, SAMPLE_ITEMS)
                ],
                "account": {
                    "projects": len([p for p in others if p.status_enum is not S.DELETED]),
                    "rejections": rejections,
                    "completed": len([p for p in others if p.status_enum is S.COMPLETED]),
                },
            }
        )
        if len(queue) >= limit:
            break
    return queue


def approve(operator: str, project_id: str, trial_size: int | None = None) -> dict:
    """checking → trial: the trial sample (the operators' size, or max(20, 5%)) is labeled free of charge."""
    project = _project(project_id)
    if project.status_enum is not S.CHECKING:
        raise _conflict(project_id, [S.CHECKING], "approve")
    if trial_size is not None:
        _check_size(trial_size)
        if not set_trial_size(project, trial_size, [S.CHECKING]):
            raise _conflict(project_id, [S.CHECKING], "approve")
        project.trial_size = trial_size
    if not begin_trial(project, by=operator, reason="approved by review"):
        raise _conflict(project_id, [S.CHECKING], "approve")
    current = _project(project_id)
    _audit(operator, "approve", project_id, trialSize=current.trial_count)
    return {"projectId": project_id, "status": current.status, "trialSize": current.trial_count}


def reject(operator: str, project_id: str, reasons: list[str], note: str) -> dict:
    """checking → draft with the reasons (and a note) the client sees in retrieveProject and by e-mail."""
    if not reasons:
        raise LifecycleError(f"give at least one reason: {', '.join(ReviewReason)}")
    unknown = [reason for reason in reasons if reason not in set(ReviewReason)]
    if unknown:
        raise LifecycleError(f"unknown reason(s) {', '.join(unknown)}: use {', '.join(ReviewReason)}")
    if len(note) > MAX_NOTE:
        raise LifecycleError(f"note is longer than {MAX_NOTE} characters")
    project = _project(project_id)
    if project.status_enum is not S.CHECKING:
        raise _conflict(project_id, [S.CHECKING], "reject")
    P = ProjectModel
    reasons = list(dict.fromkeys(reasons))
    stored_reasons: Any = reasons  # a list of strings (pynamodb types ListAttribute elements as attributes)
    actions = [P.review_reasons.set(stored_reasons), P.review_note.set(note), P.reviewed_by.set(operator)]
    why = ", ".join(reasons) + (f": {note}" if note else "")
    if not transition(project, S.DRAFT, by=operator, now=now_ms(), reason=why, actions=actions):
        raise _conflict(project_id, [S.CHECKING], "reject")
    _audit(operator, "reject", project_id, reasons=reasons, note=note)
    notices.send(
        "review_rejected", project.user_id, project_name=project.name, project_id=project_id, reasons=reasons, note=note
    )
    return {"projectId": project_id, "status": S.DRAFT.value, "reasons": reasons, "note": note}


def _check_size(size: int) -> None:
    if size < 1:
        raise LifecycleError("trial size must be at least 1")


def trial_size(operator: str, project_id: str, size: int) -> dict:
    """The trial's size, before or at approval (draft or checking); capped at the project's item count."""
    _check_size(size)
    project = _project(project_id)
    if not set_trial_size(project, size, [S.DRAFT, S.CHECKING]):
        raise _conflict(project_id, [S.DRAFT, S.CHECKING], "set the trial size of")
    _audit(operator, "trialSize", project_id, size=size)
    return {"projectId": project_id, "trialSize": trial_sample_size(project.item_count, size)}


# ---- trial disputes -----------------------------------------------------------------------------------------


def _issues(project: ProjectModel) -> list[dict]:
    items = trial_items(project.project_id, project.trial_round)
    return [
        {"itemId": item.item_id, "comment": item.trial_issue, "dataUrl": item.url, "result": item.result}
        for item in items
        if item.trial_issue
    ]


def disputes() -> list[dict]:
    """Trials whose client submitted issues (submitTrialIssues) not answered yet, oldest first."""
    out = []
    for hit in with_status(S.TRIAL_DONE):
        project = find_project(hit.project_id)
        if project is None or project.status_enum is not S.TRIAL_DONE or project.issues_submitted_at is None:
            continue
        if project.issues_answered_at is not None:
            continue
        out.append(
            {
                "projectId": project.project_id,
                "userId": project.user_id,
                "name": project.name,
                "trialRound": project.trial_round,
                "submittedAt": project.issues_submitted_at,
                "issues": _issues(project),
            }
        )
    out.sort(key=lambda entry: int(str(entry["submittedAt"])))
    return out


def answer_disputes(operator: str, project_id: str, text: str, relabel: list[str]) -> dict:
    """Answer the client's trial issues; `relabel`: trial items to label again (free rework through the
    engine)."""
    if not text.strip():
        raise LifecycleError("text is required")
    if len(text) > MAX_ANSWER:
        raise LifecycleError(f"text is longer than {MAX_ANSWER} characters")
    project = _project(project_id)
    if project.status_enum is not S.TRIAL_DONE or project.issues_submitted_at is None:
        raise Conflict(f"{project_id} has no submitted trial issues to answer (it is {project.status})")
    relabel = list(dict.fromkeys(relabel))
    items = {item.item_id: item for item in get_items(project_id, relabel)}
    for item_id in relabel:
        item = items.get(item_id)
        if item is None or item.trial_round != project.trial_round:
            raise LifecycleError(f"{item_id} is not an item of the trial")
    P = ProjectModel
    now = now_ms()
    answered = set_project_fields(
        project,
        {"issues_answer": text, "issues_answered_at": now},
        (P.status == S.TRIAL_DONE.value) & (P.issues_submitted_at == project.issues_submitted_at),
    )
    if not answered:
        raise Conflict(f"{project_id} changed meanwhile (answered or accepted by someone else)")
    marked = [item_id for item_id in relabel if mark_for_relabel(items[item_id], now)]
    launched = launch_items(project_id, marked, rework=True) if marked else 0
    _audit(operator, "disputes.answer", project_id, text=text, relabel=relabel, launched=launched)
    answer = text + (f"\n\n{launched} item(s) are being labeled again, free of charge." if launched else "")
    notices.send(
        "trial_disputes_answered", project.user_id, project_name=project.name, project_id=project_id, answer=answer
    )
    return {"projectId": project_id, "answered": True, "relabeled": launched}


# ---- negotiated prices, the start override and the audit log --------------------------------------------------


def set_prices(operator: str, project_id: str, cents_by_type: dict[str, int]) -> dict:
    """Negotiated unit prices of a project (task type → cents per task), before its trial (draft or under review):
    the trial, the estimate and the charge use them (frozen with the flow version)."""
    project = _project(project_id)
    if not prices.negotiate(project, cents_by_type):
        raise _conflict(project_id, prices.NEGOTIABLE, "set the prices of")
    _audit(operator, "prices", project_id, prices=cents_by_type)
    return {"projectId": project_id, "prices": cents_by_type, "snapshot": project.price_snapshot}


def start(operator: str, project_id: str) -> dict:
    """waitingPayment → inProgress without the client's confirm: an audited override (a client invoiced outside
    the balance). Nothing is pre-charged; usage draws the balance as items finish, what it does not cover is owed
    (receivable: code 16 for the account's next start). The remaining items launch."""
    project = _project(project_id)
    if project.status_enum is not S.WAITING_PAYMENT:
        raise _conflict(project_id, [S.WAITING_PAYMENT], "start")
    moved, launched = start_project(
        project.user_id, project_id, S.WAITING_PAYMENT, by=operator, reason="started by an operator"
    )
    if not moved:
        raise _conflict(project_id, [S.WAITING_PAYMENT], "start")
    _audit(operator, "start", project_id, launched=launched, override="started without the client's pre-charge")
    return {"projectId": project_id, "status": S.IN_PROGRESS.value, "launched": launched}


def audit_log(day: str | None = None) -> list[dict]:
    """One UTC day of operator actions (default today), oldest first."""
    rows = audit.entries(day or audit.day_of(now_ms()))
    return [
        {
            "at": row.at,
            "operator": row.operator,
            "action": row.action,
            "target": row.target,
            "details": json.loads(row.details or "{}"),
        }
        for row in rows
    ]


def record(operator: str, action: str, target: str, **details: Any) -> None:
    """Audit an operator action done elsewhere (e.g. a message to a client)."""
    _audit(operator, action, target, **details)


# ---- project messages (the thread of bytebridge.delivery.messages, operator side) -----------------------------


def _message(message: messages.Message) -> dict:
    return {
        "seq": message.seq,
        "at": message.at,
        "sender": message.sender_role,
        "author": message.author,
        "text": message.text,
        "itemId": message.item_id,
    }


def list_messages(project_id: str, since: int | None = None, limit: int = 50) -> dict:
    """The project's thread, oldest first, after seq `since`; the page counts as read by the operators."""
    _project(project_id)
    try:
        page = messages.list_messages(project_id, since, limit, reader_role=messages.OPERATOR)
    except messages.MessageError as exc:
        raise LifecycleError(str(exc)) from exc
    return {
        "projectId": project_id,
        "messages": [_message(message) for message in page.messages],
        "nextSince": page.next_since,
        "unread": page.unread,
    }


def post_message(operator: str, project_id: str, text: str, item_id: str | None = None) -> dict:
    """Write to the client in the project's thread (mailed after the thread's quiet period)."""
    _project(project_id)
    try:
        message = messages.post_message(project_id, messages.OPERATOR, operator, text, item_id)
    except messages.MessageError as exc:
        raise LifecycleError(str(exc)) from exc
    _audit(operator, "message", project_id, seq=message.seq, itemId=item_id)
    return {"projectId": project_id, "message": _message(message)}


# ---- the operators' inbox: threads with client messages they have not read ------------------------------------

INBOX_PAGE = 50


def _inbox_cursor(key: dict | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _inbox_start(cursor: str | None) -> dict | None:
    """The index key a cursor carries; only the shape of the inbox index's keys is accepted."""
    if not cursor:
        return None
    bad = LifecycleError("cursor is not a nextCursor of the inbox")
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise bad from None
    if not isinstance(key, dict) or set(key) != {"project_id", "inbox_flag", "inbox_at"}:
        raise bad
    if not all(isinstance(value, dict) and len(value) == 1 for value in key.values()):
        raise bad
    return key


def inbox(limit: int = INBOX_PAGE, cursor: str | None = None) -> dict:
    """Threads whose latest client message the operators have not read, newest first, with unread counts (a sparse
    index of the threads table: a query, never a scan). Reading the thread or replying takes it out."""
    if not 1 <= limit <= 100:
        raise LifecycleError("limit must be 1–100")
    page, last_key = threads.inbox_threads(limit, _inbox_start(cursor))
    out = []
    for thread in page:
        project = find_project(thread.project_id)
        if project is None or project.status_enum is S.DELETED:
            continue
        account = get_account(thread.user_id)
        latest = threads.latest_from(thread.project_id, messages.CLIENT)
        out.append(
            {
                "projectId": thread.project_id,
                "name": project.name,
                "status": project.status,
                "userId": thread.user_id,
                "email": account.email if account else None,
                "unread": threads.count_from(thread.project_id, thread.operator_read_seq or 0, messages.CLIENT),
                "lastAt": thread.inbox_at,
                "lastText": latest.text[:200] if latest else "",
            }
        )
    return {"threads": out, "nextCursor": _inbox_cursor(last_key)}


# ---- account lookup (support) ---------------------------------------------------------------------------------

ACCOUNT_PROJECTS = 20


def lookup_account(operator: str, email: str | None = None, user_id: str | None = None) -> dict:
    """An account by e-mail or userId: when it was made, its balance, its saved card (brand and last 4 digits
    only) and its newest projects. Never a secret (API or webhook). Audited: operators reading an account is
    itself an action worth a trace."""
    if bool(email) == bool(user_id):
        raise LifecycleError("give either email or userId")
    found = user_id_for_email(email) if email else user_id
    account = get_account(found) if found else None
    if account is None:
        raise NotFound(f"no account with {'e-mail ' + str(email) if email else 'userId ' + str(user_id)}")
    balance = ledger.balance(account.user_id)
    newest = list_projects(account, ListProjectsParams(pageSize=ACCOUNT_PROJECTS))
    _audit(operator, "account.lookup", account.user_id, by="email" if email else "userId")
    return {
        "userId": account.user_id,
        "email": account.email,
        "createdAt": account.created_at,
        "language": account.language,
        "creditState": ledger.credit_state(account.user_id, account.credit_state),
        "balance": {
            "availableCents": balance.available_cents,
            "bonusCents": balance.bonus_cents,
            "reservedCents": sum(balance.reserved_cents.values()),
            "receivableCents": balance.receivable_cents,
        },
        "card": ({"brand": account.card_brand, "last4": account.card_last4} if account.card_last4 else None),
        "projectsCreated": account.project_seq,
        "projects": [
            {"projectId": p.project_id, "name": p.name, "status": p.status, "createdAt": p.created_at}
            for p in newest.projects
        ],
        "moreProjects": newest.next_cursor is not None,
    }
