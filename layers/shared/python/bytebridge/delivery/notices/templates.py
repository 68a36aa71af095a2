"""The e-mail templates: one per kind × language (en, zh), each a subject and paragraphs in string.Template
syntax ($name). The renderer turns the paragraphs into both parts of the mail: the plain text (paragraphs
apart by a blank line) and the HTML (one <p> each, in one layout, every value escaped). Writing a notice once
per language, not twice per language, keeps the two parts from saying different things.

Values every kind may use are listed in KINDS (what the caller passes); the renderer adds derived ones
(formatted dates, localized reason labels).
"""

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    VERIFICATION = "verification"
    PASSWORD_RESET = "password_reset"
    PROJECT_SUBMITTED = "project_submitted"  # status checking (every status change is mailed: docs FAQ)
    REVIEW_PASSED = "review_passed"  # status trial
    REVIEW_REJECTED = "review_rejected"  # back to draft, with the reasons
    TRIAL_FINISHED = "trial_finished"  # status trialDone
    TRIAL_DISPUTES_ANSWERED = "trial_disputes_answered"
    WAITING_PAYMENT = "waiting_payment"  # status waitingPayment
    PROJECT_STARTED = "project_started"  # status inProgress
    PAUSED_BY_SYSTEM = "paused_by_system"  # status paused
    COMPLETED = "completed"  # status completed
    RESULTS_READY = "results_ready"  # delivered items wait for acceptance (21-day deadline)
    PURGE_WARNING_TEMP_FILES = "purge_warning_temp_files"  # completed 7 days ago
    PURGE_WARNING_UNSTARTED = "purge_warning_unstarted"  # uploaded, never started for 30 days
    PM_MESSAGE = "pm_message"  # new project-manager messages after the quiet period


class Language(StrEnum):
    EN = "en"
    ZH = "zh"


# Non-essential notices carry an unsubscribe link and respect the account's opt-out (notices_optional). Everything
# about the account's access, its money or its data (codes, reviews, status changes, results to accept before the
# 21-day deadline, purge warnings) is essential: a client cannot opt out of being told. Messages and dispute
# answers are also visible in the thread / retrieveProject, so their mails are a convenience.
NON_ESSENTIAL = frozenset({Kind.PM_MESSAGE, Kind.TRIAL_DISPUTES_ANSWERED})

# Values the caller passes, per kind (checked by render; derived values are added by the renderer).
_PROJECT = ("project_name", "project_id")
KINDS: dict[Kind, tuple[str, ...]] = {
    Kind.VERIFICATION: ("code",),
    Kind.PASSWORD_RESET: ("code",),
    Kind.PROJECT_SUBMITTED: _PROJECT,
    Kind.REVIEW_PASSED: _PROJECT,
    Kind.REVIEW_REJECTED: (*_PROJECT, "reasons"),  # reasons: codes (REJECT_REASONS); note: optional free text
    Kind.TRIAL_FINISHED: _PROJECT,
    Kind.TRIAL_DISPUTES_ANSWERED: (*_PROJECT, "answer"),
    Kind.WAITING_PAYMENT: _PROJECT,
    Kind.PROJECT_STARTED: _PROJECT,
    Kind.PAUSED_BY_SYSTEM: _PROJECT,  # reason: optional
    Kind.COMPLETED: _PROJECT,
    Kind.RESULTS_READY: (*_PROJECT, "count", "deadline"),  # deadline: epoch ms of the earliest auto-accept
    Kind.PURGE_WARNING_TEMP_FILES: (*_PROJECT, "purge_after"),  # epoch ms
    Kind.PURGE_WARNING_UNSTARTED: (*_PROJECT, "purge_after"),
    Kind.PM_MESSAGE: (*_PROJECT, "count", "excerpt", "sender"),  # sender: "client" | "operator"
}
OPTIONAL_DEFAULTS: dict[str, object] = {"note": "", "reason": "", "minutes": 15}

REJECT_REASONS: dict[str, dict[Language, str]] = {
    "flow_logic": {Language.EN: "the task flow has a logic error", Language.ZH: "任务流逻辑错误"},
    "flow_wording": {Language.EN: "the task flow's wording is unclear or wrong", Language.ZH: "任务流文字描述错误"},
    "files_not_standard": {Language.EN: "the files are not up to standard", Language.ZH: "文件不符合规范"},
    "sensitive_content": {Language.EN: "the data contains sensitive content", Language.ZH: "数据包含敏感内容"},
}
SENDERS: dict[str, dict[Language, str]] = {
    "client": {Language.EN: "the client", Language.ZH: "客户"},
    "operator": {Language.EN: "your ByteBridge project manager", Language.ZH: "您的 ByteBridge 项目经理"},
}


@dataclass(frozen=True)
class Template:
    subject: str
    paragraphs: tuple[str, ...]


_EN_PROJECT = "$project_name ($project_id)"
_ZH_PROJECT = "$project_name($project_id)"

EN: dict[Kind, Template] = {
    Kind.VERIFICATION: Template(
        "[ByteBridge] Your verification code: $code",
        (
            "Welcome to ByteBridge. Your verification code is:",
            "$code",
            "It expires in $minutes minutes. If you did not sign up, ignore this e-mail.",
        ),
    ),
    Kind.PASSWORD_RESET: Template(
        "[ByteBridge] Your password reset code: $code",
        (
            "Someone (hopefully you) asked to reset the password of your ByteBridge account. Your code is:",
            "$code",
            "It expires in $minutes minutes. If you did not ask for it, ignore this e-mail: your password stays.",
        ),
    ),
    Kind.PROJECT_SUBMITTED: Template(
        "[ByteBridge] Project checking: $project_name",
        (
            f"Your project {_EN_PROJECT} was submitted and is being reviewed by our operators (usually within one "
            "working day).",
        ),
    ),
    Kind.REVIEW_PASSED: Template(
        "[ByteBridge] Review passed: $project_name",
        (f"Your project {_EN_PROJECT} passed review; a trial sample is being labeled, free of charge.",),
    ),
    Kind.REVIEW_REJECTED: Template(
        "[ByteBridge] Review not passed: $project_name",
        (
            f"Your project {_EN_PROJECT} did not pass review and is editable again.",
            "Reasons: $reasons_text",
            "$note",
            "Fix the project and submit it again (alterState start).",
        ),
    ),
    Kind.TRIAL_FINISHED: Template(
        "[ByteBridge] Trial finished: $project_name",
        (
            f"Your project {_EN_PROJECT} finished its trial: please check the trial results and accept them or "
            "ask for changes.",
        ),
    ),
    Kind.TRIAL_DISPUTES_ANSWERED: Template(
        "[ByteBridge] Your trial issues were answered: $project_name",
        (f"Our operators answered the issues you filed on the trial of {_EN_PROJECT}:", "$answer"),
    ),
    Kind.WAITING_PAYMENT: Template(
        "[ByteBridge] Project waitingPayment: $project_name",
        (f"Your project {_EN_PROJECT} is waiting for the pre-charge of its estimated cost.",),
    ),
    Kind.PROJECT_STARTED: Template(
        "[ByteBridge] Project inProgress: $project_name",
        (f"Your project {_EN_PROJECT} is in progress.",),
    ),
    Kind.PAUSED_BY_SYSTEM: Template(
        "[ByteBridge] Project paused: $project_name",
        (f"Your project {_EN_PROJECT} is paused.", "$reason"),
    ),
    Kind.COMPLETED: Template(
        "[ByteBridge] Project completed: $project_name",
        (
            f"Your project {_EN_PROJECT} is completed: every item has been labeled. Export the results or use "
            "listResults.",
        ),
    ),
    Kind.RESULTS_READY: Template(
        "[ByteBridge] $count result(s) ready: $project_name",
        (
            f"$count item(s) of your project {_EN_PROJECT} were delivered and wait for your acceptance.",
            "Review them with listResults / acceptResults or in the dashboard. Rejected items are reworked free "
            "of charge within 21 days of delivery; items not rejected within 21 days are accepted automatically "
            "(the first of these on $deadline_text).",
        ),
    ),
    Kind.PURGE_WARNING_TEMP_FILES: Template(
        "[ByteBridge] Stored files of $project_name will be deleted",
        (
            f"Your project {_EN_PROJECT} was completed 7 days ago. The files we stored temporarily for it will be "
            "deleted after $purge_after_text. Your results stay available.",
        ),
    ),
    Kind.PURGE_WARNING_UNSTARTED: Template(
        "[ByteBridge] Stored files of $project_name will be deleted",
        (
            f"Your project {_EN_PROJECT} has had uploaded files but was not started for 30 days. The files we "
            "stored temporarily for it will be deleted after $purge_after_text. Items not yet started will be "
            "removed with them; upload the files again to use them.",
        ),
    ),
    Kind.PM_MESSAGE: Template(
        "[ByteBridge] $count new message(s) on $project_name",
        (
            f"You have $count new message(s) from $sender_text on the project {_EN_PROJECT}. The latest:",
            "$excerpt",
            "Read and answer them with listMessages / messages or in the dashboard.",
        ),
    ),
}

ZH: dict[Kind, Template] = {
    Kind.VERIFICATION: Template(
        "[ByteBridge] 您的验证码:$code",
        (
            "欢迎使用 ByteBridge。您的验证码是:",
            "$code",
            "验证码 $minutes 分钟内有效。如果不是您本人注册,请忽略本邮件。",
        ),
    ),
    Kind.PASSWORD_RESET: Template(
        "[ByteBridge] 您的密码重置验证码:$code",
        (
            "我们收到了重置您 ByteBridge 账号密码的请求。您的验证码是:",
            "$code",
            "验证码 $minutes 分钟内有效。如果不是您本人操作,请忽略本邮件,您的密码不会改变。",
        ),
    ),
    Kind.PROJECT_SUBMITTED: Template(
        "[ByteBridge] 项目审核中:$project_name",
        (f"您的项目 {_ZH_PROJECT} 已提交,正在由我们的运营人员审核(通常在一个工作日内完成)。",),
    ),
    Kind.REVIEW_PASSED: Template(
        "[ByteBridge] 审核通过:$project_name",
        (f"您的项目 {_ZH_PROJECT} 已通过审核,正在免费试标一部分数据。",),
    ),
    Kind.REVIEW_REJECTED: Template(
        "[ByteBridge] 审核未通过:$project_name",
        (
            f"您的项目 {_ZH_PROJECT} 未通过审核,现已恢复为可编辑状态。",
            "原因:$reasons_text",
            "$note",
            "请修改项目后重新提交(alterState start)。",
        ),
    ),
    Kind.TRIAL_FINISHED: Template(
        "[ByteBridge] 试标完成:$project_name",
        (f"您的项目 {_ZH_PROJECT} 已完成试标:请查看试标结果,确认通过或提出问题。",),
    ),
    Kind.TRIAL_DISPUTES_ANSWERED: Template(
        "[ByteBridge] 您的试标问题已回复:$project_name",
        (f"运营人员已回复您对项目 {_ZH_PROJECT} 试标结果提出的问题:", "$answer"),
    ),
    Kind.WAITING_PAYMENT: Template(
        "[ByteBridge] 项目待付款:$project_name",
        (f"您的项目 {_ZH_PROJECT} 正在等待预扣其预估费用。",),
    ),
    Kind.PROJECT_STARTED: Template(
        "[ByteBridge] 项目进行中:$project_name",
        (f"您的项目 {_ZH_PROJECT} 已开始标注。",),
    ),
    Kind.PAUSED_BY_SYSTEM: Template(
        "[ByteBridge] 项目已暂停:$project_name",
        (f"您的项目 {_ZH_PROJECT} 已暂停。", "$reason"),
    ),
    Kind.COMPLETED: Template(
        "[ByteBridge] 项目已完成:$project_name",
        (f"您的项目 {_ZH_PROJECT} 已完成:所有数据均已标注。请导出结果或调用 listResults。",),
    ),
    Kind.RESULTS_READY: Template(
        "[ByteBridge] $count 条结果待验收:$project_name",
        (
            f"您的项目 {_ZH_PROJECT} 有 $count 条数据已交付,等待您验收。",
            "请通过 listResults / acceptResults 或在控制台中查看。交付后 21 天内驳回的数据将免费返工;"
            "21 天内未驳回的数据将自动验收(最早一批于 $deadline_text)。",
        ),
    ),
    Kind.PURGE_WARNING_TEMP_FILES: Template(
        "[ByteBridge] 项目 $project_name 的存储文件即将清除",
        (
            f"您的项目 {_ZH_PROJECT} 已完成 7 天。我们为其临时存储的文件将在 $purge_after_text 之后清除。"
            "您的标注结果仍然可用。",
        ),
    ),
    Kind.PURGE_WARNING_UNSTARTED: Template(
        "[ByteBridge] 项目 $project_name 的存储文件即将清除",
        (
            f"您的项目 {_ZH_PROJECT} 上传文件后 30 天未启动。我们为其临时存储的文件将在 $purge_after_text 之后清除,"
            "尚未开始的数据也将一并移除;如需使用,请重新上传文件。",
        ),
    ),
    Kind.PM_MESSAGE: Template(
        "[ByteBridge] 项目 $project_name 有 $count 条新消息",
        (
            f"您在项目 {_ZH_PROJECT} 上收到 $count 条来自$sender_text的新消息。最新一条:",
            "$excerpt",
            "请通过 listMessages / messages 或在控制台中查看并回复。",
        ),
    ),
}

TEMPLATES: dict[Language, dict[Kind, Template]] = {Language.EN: EN, Language.ZH: ZH}

FOOTER: dict[Language, str] = {
    Language.EN: "You receive this e-mail because of your ByteBridge account.",
    Language.ZH: "您收到本邮件是因为您拥有 ByteBridge 账号。",
}
UNSUBSCRIBE: dict[Language, str] = {
    Language.EN: "Don't want these e-mails (messages, dispute answers)? Unsubscribe:",
    Language.ZH: "不想再收到此类邮件(消息、问题回复)?退订:",
}
