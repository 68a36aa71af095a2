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
    IMPORT_FINISHED = "import_finished"  # a bucket import (importS3 / importGCS) went through the whole bucket
    PAYMENT_FAILED = "payment_failed"  # a top-up was declined or needs authentication: running projects paused
    CHARGEBACK_OPENED = "chargeback_opened"  # to the operators' mailbox: a card payment is disputed at the bank
    INVOICE_ISSUED = "invoice_issued"  # a completed (or ended) project's invoice, with a link to its PDF
    DISPUTE_ACCEPTED = "dispute_accepted"  # a dispute of consumed items was upheld: the amount is back in the balance
    DISPUTE_REJECTED = "dispute_rejected"  # … or not, with the operator's reason


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
    Kind.IMPORT_FINISHED: (*_PROJECT, "import_id", "source", "listed", "added", "duplicates", "refused"),
    Kind.PAYMENT_FAILED: ("amount", "problem", "fix_url"),  # amount: "$50.00"; problem: "declined" | "authentication"
    Kind.CHARGEBACK_OPENED: ("user_id", "amount", "payment_id"),
    Kind.INVOICE_ISSUED: (*_PROJECT, "number", "amount", "link"),  # amount: "$12.34"; link: where to download it
    Kind.DISPUTE_ACCEPTED: (*_PROJECT, "dispute_id", "amount"),
    Kind.DISPUTE_REJECTED: (*_PROJECT, "dispute_id", "reason"),
}
OPTIONAL_DEFAULTS: dict[str, object] = {"note": "", "reason": "", "minutes": 15}

REJECT_REASONS: dict[str, dict[Language, str]] = {
    "flow_logic": {Language.EN: "the task flow has a logic error", Language.ZH: "任务流逻辑错误"},
    "flow_wording": {Language.EN: "the task flow's wording is unclear or wrong", Language.ZH: "任务流文字描述错误"},
    "files_not_standard": {Language.EN: "the files are not up to standard", Language.ZH: "文件不符合规范"},
    "sensitive_content": {Language.EN: "the data contains sensitive content", Language.ZH: "数据包含敏感内容"},
}
PAYMENT_PROBLEMS: dict[str, dict[Language, str]] = {
    "declined": {Language.EN: "the card was declined", Language.ZH: "银行卡被拒绝"},
    "authentication": {Language.EN: "the bank asks you to authenticate it", Language.ZH: "发卡行要求您完成验证"},
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
    Kind.IMPORT_FINISHED: Template(
        "[ByteBridge] Import finished: $added new item(s) in $project_name",
        (
            f"The import $import_id of $source into your project {_EN_PROJECT} is finished.",
            "Objects listed: $listed. New items: $added. Already in the project (skipped): $duplicates. "
            "Refused: $refused.",
            "See the refused objects and their reasons with retrieveImport or in the dashboard.",
        ),
    ),
    Kind.PAYMENT_FAILED: Template(
        "[ByteBridge] Payment of $amount failed: projects paused",
        (
            "We could not charge $amount to your saved card ($problem_text). Your running projects are paused and "
            "no project can start until the payment goes through.",
            "Save a card that works (or confirm this one) here: $fix_url",
            "Then resume your projects (alterState start).",
        ),
    ),
    Kind.CHARGEBACK_OPENED: Template(
        "[ByteBridge] Chargeback opened: $amount by $user_id",
        (
            "The bank of account $user_id disputes the card payment $payment_id ($amount). The account may not "
            "spend or start projects until the dispute is resolved. Answer the dispute in the Stripe dashboard.",
        ),
    ),
    Kind.INVOICE_ISSUED: Template(
        "[ByteBridge] Invoice $number: $project_name",
        (
            f"The invoice $number of your project {_EN_PROJECT} is ready: $amount.",
            "Download it (PDF): $link",
            "Every invoice is also available with listInvoices / retrieveInvoice and in the dashboard.",
        ),
    ),
    Kind.DISPUTE_ACCEPTED: Template(
        "[ByteBridge] Dispute $dispute_id accepted: $project_name",
        (
            f"We reviewed your dispute $dispute_id of items of {_EN_PROJECT} and credited $amount to your balance. "
            "The credit is refundable like the payment it came from.",
            "$note",
        ),
    ),
    Kind.DISPUTE_REJECTED: Template(
        "[ByteBridge] Dispute $dispute_id not accepted: $project_name",
        (
            f"We reviewed your dispute $dispute_id of items of {_EN_PROJECT} and could not accept it.",
            "Reason: $reason",
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
    Kind.IMPORT_FINISHED: Template(
        "[ByteBridge] 导入完成:项目 $project_name 新增 $added 条数据",
        (
            f"从 $source 导入到您的项目 {_ZH_PROJECT} 的任务 $import_id 已完成。",
            "列出对象:$listed。新增数据:$added。项目中已有(跳过):$duplicates。拒绝:$refused。",
            "请通过 retrieveImport 或在控制台中查看被拒绝的对象及原因。",
        ),
    ),
    Kind.PAYMENT_FAILED: Template(
        "[ByteBridge] $amount 扣款失败:项目已暂停",
        (
            "我们未能从您保存的银行卡扣款 $amount($problem_text)。您进行中的项目已暂停,扣款成功前无法启动项目。",
            "请在此保存一张可用的银行卡(或完成此卡的验证):$fix_url",
            "然后恢复您的项目(alterState start)。",
        ),
    ),
    Kind.CHARGEBACK_OPENED: Template(
        "[ByteBridge] 拒付:$user_id 的 $amount",
        (
            "账户 $user_id 的发卡行对银行卡付款 $payment_id($amount)提出了拒付。争议解决前,该账户不能消费或启动项目。"
            "请在 Stripe 控制台中答复该争议。",
        ),
    ),
    Kind.INVOICE_ISSUED: Template(
        "[ByteBridge] 发票 $number:$project_name",
        (
            f"您的项目 {_ZH_PROJECT} 的发票 $number 已开具:$amount。",
            "下载发票(PDF):$link",
            "所有发票也可通过 listInvoices / retrieveInvoice 或在控制台中查看。",
        ),
    ),
    Kind.DISPUTE_ACCEPTED: Template(
        "[ByteBridge] 异议 $dispute_id 已受理:$project_name",
        (
            f"我们审核了您对项目 {_ZH_PROJECT} 数据提出的异议 $dispute_id,已将 $amount 退回您的账户余额。"
            "该金额可按原支付路径申请退款。",
            "$note",
        ),
    ),
    Kind.DISPUTE_REJECTED: Template(
        "[ByteBridge] 异议 $dispute_id 未通过:$project_name",
        (
            f"我们审核了您对项目 {_ZH_PROJECT} 数据提出的异议 $dispute_id,未能受理。",
            "原因:$reason",
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
