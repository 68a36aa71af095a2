"""The Lambda functions of the platform, as plain data: the CDK app deploys each one and the local
runtime invokes the same handler in-process, so the two cannot list different functions."""

from dataclasses import dataclass, field, replace

# Annotator queue families (bytebridge.engine.queues.FAMILIES maps task types onto them).
TASK_FAMILIES = ("choice", "boxes", "points", "shapes", "masks", "text", "audio", "video")


@dataclass(frozen=True)
class FunctionSpec:
    name: str  # logical name; physical name is resource_name(name)
    handler: str  # "package.module.attribute" under functions/
    description: str
    timeout_seconds: int = 30
    memory_mb: int = 512
    environment: dict[str, str] = field(default_factory=dict)
    http_prefixes: tuple[str, ...] = ()  # API paths this function serves (proxy integration)
    # Those of http_prefixes only signed-in users reach: API Gateway's Cognito authorizer (the local gateway alike)
    # verifies the ID token (`Authorization: Bearer …`) and hands its claims to the function (bytebridge.identity).
    authorizer_prefixes: tuple[str, ...] = ()
    # Other packages under functions/ the handler imports (the dashboard API runs the client API's routes).
    code_packages: tuple[str, ...] = ()
    # Serve http_prefixes from the HTTP API ($1.00/M requests, not REST's $3.50/M; infra.http_api_construct): only
    # for functions that authenticate every call themselves (no authorizer_prefixes) and read REST v1 events.
    http_api: bool = False
    # EventBridge schedule expression ("rate(1 hour)", "cron(...)"); the local scheduler runs rate() ones too.
    schedule: str | None = None
    # What the function may touch on AWS; the CDK app turns each entry into one exact grant (least privilege),
    # the local runtime ignores it. "table:<base>:read|write" (base = table name without the stage prefix),
    # "bucket:data|exports|invoices:read|write", "queue:<name>:read|send|consume", "function:<name>:invoke",
    # "key:secrets:encrypt|decrypt|seal-imports", "email:send", "workflow:<name>:start|respond", "role:clients:assume"
    # (sts:AssumeRole on roles in clients' accounts, for bucket imports through a role: named by the client),
    # "workflow:<name>:stop" (its executions), "userpool:users:signup" (the auth API's admin calls on the user pool),
    # "secret:stripe:read" (the Stripe keys in Secrets Manager).
    access: tuple[str, ...] = ()


# What both purges touch: every table holding a project's data, its files, and the warning e-mails.
_PURGE_ACCESS = (
    "table:accounts:read",
    "table:unique-keys:write",
    "table:projects:write",
    "table:items:write",
    "table:delivery:write",
    "table:exports:write",
    "table:flows:write",
    "table:gold:write",
    "table:judgments:write",
    "table:assignments:write",
    "table:project-history:write",
    "table:messages:write",
    "table:message-threads:write",
    "bucket:data:write",
    "bucket:exports:write",
    "email:send",
    "table:imports:write",  # bucket imports' rows and their sealed credentials
)

# What moving money on a card touches: the Stripe keys, the payments and the ledger, the account's card and
# credit state, and (when a charge fails) its running projects, paused with history rows, and a mail.
_CARD_MONEY_ACCESS = (
    "secret:stripe:read",
    "table:accounts:write",
    "table:payments:write",
    "table:ledger:write",
    "table:unique-keys:write",  # Stripe ids → accounts; webhook event ids handled
    "table:projects:write",
    "table:project-history:write",
    "email:send",
)

# What issuing an invoice touches: its rows and the seller's counter, the figures (items, flow, prices, disputes, the
# ledger's usage accounts, the account's billing details), its bucket, and the mail (its link is an HMAC).
_INVOICE_ACCESS = (
    "table:invoices:write",
    "table:invoice-counters:write",
    "table:projects:read",
    "table:items:read",
    "table:flows:read",
    "table:accounts:read",
    "table:disputes:read",
    "table:ledger:read",
    "bucket:invoices:write",
    "email:send",
    "key:notices:mac",
)

FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        name="client-api",
        handler="client_api.handler.lambda_handler",
        description="Signed client API (documented ByteBridge API)",
        timeout_seconds=29,
        http_prefixes=("/api/v1",),
        access=(
            "table:accounts:write",
            "table:unique-keys:write",
            "table:seen-requests:write",
            "table:projects:write",
            "table:items:write",
            "queue:ingest-checks:send",  # submitResource: new items are checked (bytebridge.ingest)
            "table:delivery:write",
            "table:exports:write",
            "table:flows:write",
            "table:gold:write",
            "table:project-history:write",
            "bucket:exports:read",
            "queue:callbacks:send",
            "function:export-job:invoke",
            "key:secrets:decrypt",
            "email:send",
            "workflow:item-flow:start",  # a relabel (alterState start after reconfigure) launches its trial
            "workflow:item-flow:stop",  # alterState end withdraws in-flight items
            "table:messages:write",  # messages / listMessages (PM messages)
            "table:message-threads:write",
            # cards, top-ups and refunds (bytebridge.billing: setupCard, confirmCard, confirm's top-up, refund)
            "secret:stripe:read",
            "table:payments:write",
            "table:ledger:write",  # estimate, confirm's pre-charge, retrieveBalance; the release at completion / end
            # data in: web upload (presigned POST / multipart into the data bucket, completeUpload checks the
            # objects) and bucket imports (the bucket and its credentials are tried once, sealed, the job queued)
            "bucket:data:write",
            "table:imports:write",
            "queue:imports:send",
            "key:secrets:seal-imports",  # kms:Encrypt for import credentials only (by encryption context)
            "role:clients:assume",
            # invoices (listInvoices, retrieveInvoice: presigned links; retrieveStatement) and disputes (fileDispute:
            # its items are claimed once); alterState end / resume may complete a project: its invoice is requested
            "table:invoices:read",
            "bucket:invoices:read",
            "table:disputes:write",
            "function:invoice-job:invoke",
        ),
    ),
    FunctionSpec(
        name="auth-api",
        handler="auth_api.handler.lambda_handler",
        description="Public auth API: sign-up with an e-mailed code, sign-in, token refresh, password reset",
        timeout_seconds=29,
        memory_mb=256,
        http_prefixes=("/auth/v1",),
        access=(
            "userpool:users:signup",
            "table:accounts:write",
            "table:unique-keys:write",
            "table:codes:write",
            "key:secrets:encrypt",
            "email:send",
            "key:notices:mac",  # /auth/v1/unsubscribe and /auth/v1/invoice check the link's HMAC
            "table:invoices:read",  # /auth/v1/invoice: the mailed link answers a fresh presigned link to the PDF
            "bucket:invoices:read",
        ),
    ),
    FunctionSpec(
        name="account-api",
        handler="account_api.handler.lambda_handler",
        description="Signed-in clients: profile, e-mail preferences, API secrets (read, rotate)",
        timeout_seconds=29,
        memory_mb=256,
        http_prefixes=("/account/v1",),
        authorizer_prefixes=("/account/v1",),
        access=(
            "table:accounts:write",
            "table:unique-keys:read",
            "key:secrets:encrypt",
            "key:secrets:decrypt",
        ),
    ),
    FunctionSpec(
        name="operator-api",
        handler="operator_api.handler.lambda_handler",
        description="Operators (JWT, operators group): review, trials, disputes, start, messages; every action audited",
        timeout_seconds=29,
        memory_mb=512,
        http_prefixes=("/operator/v1",),
        authorizer_prefixes=("/operator/v1",),
        access=(
            "table:accounts:read",
            "table:projects:write",
            "table:items:write",
            "table:project-history:write",
            "table:audit:write",
            "table:messages:write",
            "table:message-threads:write",
            "table:flows:read",
            "table:delivery:write",
            "queue:callbacks:send",
            "table:gold:read",
            "workflow:item-flow:start",
            "email:send",
            "key:notices:mac",  # trial_disputes_answered is non-essential: its mail carries an unsubscribe link
            "table:messages:write",  # GET/POST projects/{projectId}/messages
            "table:message-threads:write",
            "table:ledger:write",  # the start override: its release of the unused pre-charge at completion
            "table:disputes:write",  # disputes of consumed items: accept (a ledger credit) or reject, audited
            "table:accounts:write",  # a dispute credit that settles what was owed ends the account's arrears
            "function:invoice-job:invoke",  # a project the start override finds done completes: its invoice
        ),
    ),
    FunctionSpec(
        name="stripe-webhook",
        handler="stripe_webhook.handler.lambda_handler",
        description="Stripe's webhook events: verified, each applied once (payments, refunds, chargebacks)",
        timeout_seconds=29,
        memory_mb=256,
        http_prefixes=("/stripe/v1",),
        access=_CARD_MONEY_ACCESS,
    ),
    FunctionSpec(
        name="scheduled-top-ups",
        handler="scheduled.handler.scheduled_top_ups",
        description="Charges each account with running projects once when its balance will not cover the next day",
        timeout_seconds=900,
        memory_mb=256,
        schedule="rate(1 hour)",
        access=_CARD_MONEY_ACCESS,
    ),
    FunctionSpec(
        name="callback-sender",
        handler="callback_sender.handler.lambda_handler",
        description="POSTs signed callback events to clients; retries with backoff, parks failures in the DLQ",
        timeout_seconds=60,
        memory_mb=256,
        access=(
            "table:accounts:read",
            "table:projects:read",
            "table:items:read",
            "table:delivery:read",
            "queue:callbacks:send",
            "queue:callbacks-dlq:send",
            "key:secrets:decrypt",
        ),
    ),
    FunctionSpec(
        name="auto-accept",
        handler="scheduled.handler.auto_accept",
        description="Accepts delivered items not rejected within 21 days",
        timeout_seconds=300,
        memory_mb=256,
        schedule="rate(1 hour)",
        access=("table:items:write",),
    ),
    FunctionSpec(
        name="notify-clients",
        handler="scheduled.handler.notify_clients",
        description="Mails clients about delivered items (one mail per project per run) and status changes",
        timeout_seconds=300,
        memory_mb=256,
        schedule="rate(10 minutes)",
        access=("table:accounts:read", "table:projects:read", "table:delivery:write", "email:send"),
    ),
    FunctionSpec(
        name="notify-messages",
        handler="scheduled.handler.notify_messages",
        description="Mails each side of a PM message thread once, after 10 quiet minutes (one mail per thread)",
        timeout_seconds=300,
        memory_mb=256,
        schedule="rate(5 minutes)",  # a quiet thread is mailed 10–15 minutes after its last message
        access=(
            "table:accounts:read",
            "table:projects:read",
            "table:messages:read",
            "table:message-threads:write",
            "email:send",
            "key:notices:mac",
        ),
    ),
    FunctionSpec(
        name="retention-purge",
        handler="scheduled.handler.retention_purge",
        description="Warns about, then purges, stored files of completed (7 d) and idle (30 d) projects",
        timeout_seconds=900,
        memory_mb=256,
        schedule="rate(1 hour)",
        access=_PURGE_ACCESS,
    ),
    FunctionSpec(
        name="purge-deleted",
        handler="scheduled.handler.purge_deleted",
        description="Removes every trace of deleted projects from S3 and DynamoDB (docs: within 2 hours)",
        timeout_seconds=900,
        memory_mb=256,
        schedule="rate(1 hour)",
        access=_PURGE_ACCESS,
    ),
    FunctionSpec(
        name="consensus",
        handler="engine.handler.consensus",
        description="Item flow: opens task visits, consolidates judgments (adaptive overlap), routes the item on",
        timeout_seconds=60,
        memory_mb=1024,  # numpy consolidation of masks and many boxes
        access=(
            "table:items:write",
            "table:projects:write",
            "table:flows:read",
            "table:judgments:read",
            "table:workers:read",
            "table:accounts:read",
            "table:ledger:write",  # a finished item's usage debit (same transaction), the release at completion
            "table:delivery:write",
            "table:project-history:write",  # trial → trialDone when the last trial item finishes
            "table:imports:write",  # a completed project's bucket-import credentials are dropped
            "function:invoice-job:invoke",  # … and its invoice is issued
            "queue:callbacks:send",
            "workflow:item-flow:respond",  # completes a task visit's token once its answer is settled
            *(f"queue:tasks-{family}:send" for family in TASK_FAMILIES),  # a visit's annotator slots
        ),
    ),
    FunctionSpec(
        name="launcher",
        handler="engine.handler.launcher",
        description="Starts item executions in waves: a project's first when it may run, then top-ups",
        timeout_seconds=300,
        memory_mb=256,
        schedule="rate(5 minutes)",
        access=(
            "table:items:write",
            "table:projects:write",
            "table:accounts:read",
            "table:ledger:write",  # the unused pre-charge released when a wave finds the project done
            "table:delivery:write",
            "queue:callbacks:send",
            "workflow:item-flow:start",
            "table:imports:write",  # a project found finished completes: its bucket-import credentials are dropped
            "function:invoice-job:invoke",  # … and its invoice is issued
        ),
    ),
    FunctionSpec(
        name="worker-api",
        handler="worker_api.handler.lambda_handler",
        description="Annotators: claim tasks (long poll), heartbeat, submit, release, data links",
        timeout_seconds=29,
        http_prefixes=("/worker/v1",),
        http_api=True,  # its calls (a few per judgment) are most of the API bill; bearer tokens checked inside
        access=(
            "table:workers:write",
            "table:judgments:write",
            "table:assignments:write",
            "table:items:read",
            "table:projects:read",
            "table:flows:read",
            "table:gold:read",
            "bucket:data:read",
            "table:imports:read",  # items of bucket imports: links presigned with the import's credentials
            "key:secrets:decrypt",
            "role:clients:assume",
            "function:consensus:invoke",  # after a submitted judgment (asynchronously)
            *(f"queue:tasks-{family}:consume" for family in TASK_FAMILIES),
            *(f"queue:tasks-{family}:send" for family in TASK_FAMILIES),
        ),
    ),
    FunctionSpec(
        name="ingest-check",
        handler="ingest_check.handler.lambda_handler",
        description="Checks new items from their first bytes (type, image size) through an SSRF-safe fetcher",
        timeout_seconds=120,  # 25 items per message, 8 fetches at a time, each at most 5 s (redirects included)
        memory_mb=1536,  # video is probed from up to 64 MiB of its bytes, 8 items at a time
        access=(
            "table:projects:write",  # the counters move with each checked item
            "table:items:write",
            "table:flows:read",  # drawing tasks need a picture
            "bucket:data:read",  # ranged reads of uploaded files
            "table:imports:read",  # items of bucket imports: read with the import's credentials (ingest.origins)
            "key:secrets:decrypt",
            "role:clients:assume",
            "function:frame-job:invoke",  # ready video items of a flow with detection nodes: their frames
        ),
    ),
    FunctionSpec(
        name="frame-job",
        handler="frame_job.handler.lambda_handler",
        description="Extracts the sampled frames of new video items once per item (PyAV) into the data bucket",
        timeout_seconds=900,
        memory_mb=2048,  # a clip of up to 64 MiB in memory, decoded frame by frame
        access=(
            "table:projects:read",
            "table:items:read",
            "table:flows:read",  # the detection nodes' sampling
            "bucket:data:write",  # reads uploaded clips, writes the frames under the project's prefix
            "table:imports:read",  # clips of bucket imports: read with the import's credentials (ingest.origins)
            "key:secrets:decrypt",
            "role:clients:assume",
        ),
    ),
    FunctionSpec(
        name="import-job",
        handler="import_job.handler.lambda_handler",
        description="A bucket import (importS3 / importGCS): pages through the client's bucket, admits each page",
        timeout_seconds=900,  # a run queues its next page itself before its time runs low
        memory_mb=512,
        access=(
            "table:imports:write",
            "table:projects:write",  # admit: the project's counters
            "table:items:write",
            "table:unique-keys:write",  # admit: one claim per link
            "table:accounts:read",  # the "import finished" mail
            "queue:imports:send",
            "queue:ingest-checks:send",
            "key:secrets:decrypt",  # the import's credentials
            "role:clients:assume",  # s3-role imports
            "email:send",
        ),
    ),
    FunctionSpec(
        name="export-job",
        handler="export_job.handler.lambda_handler",
        description="Writes one export (COCO, VOC, labelme, JSON Lines) of a project's results to S3",
        timeout_seconds=900,
        memory_mb=1024,
        access=("table:exports:write", "table:items:read", "table:projects:read", "bucket:exports:write"),
    ),
    FunctionSpec(
        name="invoice-job",
        handler="invoice_job.handler.lambda_handler",
        description="Issues a completed project's invoice (gapless number, PDF + JSON in S3) and mails it once",
        timeout_seconds=120,
        memory_mb=512,
        access=_INVOICE_ACCESS,
    ),
    FunctionSpec(
        name="invoice-sweep",
        handler="invoice_job.handler.sweep",
        description="Issues and mails invoices of projects completed lately that have none (the invoice job's net)",
        timeout_seconds=900,
        memory_mb=512,
        schedule="rate(1 hour)",
        access=_INVOICE_ACCESS,
    ),
)


@dataclass(frozen=True)
class QueueSpec:
    name: str  # logical name; physical name is resource_name(name)
    description: str
    visibility_timeout_seconds: int = 30  # ≥ 6× the consumer's timeout when there is one
    retention_seconds: int = 4 * 24 * 3600
    dead_letter: str | None = None  # QueueSpec.name receiving a message after max_receive_count receives
    max_receive_count: int = 5
    consumer: str | None = None  # FunctionSpec.name fed by an event source mapping (partial batch failures)
    batch_size: int = 10


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(
        name="callbacks-dlq",
        description="Callback events that failed every attempt (and poison messages), kept for inspection",
        retention_seconds=14 * 24 * 3600,
    ),
    QueueSpec(
        name="callbacks",
        description="Callback events to POST to clients; retries are re-sent with DelaySeconds",
        visibility_timeout_seconds=6 * 60,
        dead_letter="callbacks-dlq",
        max_receive_count=3,
        consumer="callback-sender",
    ),
    QueueSpec(
        name="ingest-checks-dlq",
        description="Admission checks that failed every receive (AWS down, poison messages), kept for inspection",
        retention_seconds=14 * 24 * 3600,
    ),
    QueueSpec(
        name="ingest-checks",
        description="New items to check (a batch of item ids of one project per message)",
        visibility_timeout_seconds=6 * 120,
        dead_letter="ingest-checks-dlq",
        max_receive_count=3,
        consumer="ingest-check",
        batch_size=1,  # one message is already 25 items: a whole run's work
    ),
    QueueSpec(
        name="imports-dlq",
        description="Bucket import runs that failed every receive (AWS down, poison messages), kept for inspection",
        retention_seconds=14 * 24 * 3600,
    ),
    QueueSpec(
        name="imports",
        description="Bucket imports to go on with: one message is one run of the import job from a page",
        visibility_timeout_seconds=6 * 900,
        dead_letter="imports-dlq",
        max_receive_count=3,
        consumer="import-job",
        batch_size=1,  # one message is a whole run's work
    ),
    QueueSpec(
        name="tasks-dlq",
        description="Annotator task messages nobody could work after several leases, or unreadable ones",
        retention_seconds=14 * 24 * 3600,
    ),
    *(
        QueueSpec(
            name=f"tasks-{family}",
            description=f"Open annotator slots of {family} tasks (Step Functions task tokens)",
            # A claim's receive sets the visibility to the lease; this default covers only an unreadable message.
            visibility_timeout_seconds=60,
            retention_seconds=14 * 24 * 3600,
            dead_letter="tasks-dlq",
            max_receive_count=5,
        )
        for family in TASK_FAMILIES
    ),
)

# The dashboard API runs the signed API's routes (client_api.handler.serve) for the browser, behind the Cognito
# authorizer: the same code, so exactly the same access as the signed API.
FUNCTIONS += (
    replace(
        next(spec for spec in FUNCTIONS if spec.name == "client-api"),
        name="dashboard-api",
        handler="dashboard_api.handler.lambda_handler",
        description="Dashboard API: the signed API's calls for signed-in clients (Cognito JWT)",
        http_prefixes=("/dashboard/v1",),
        authorizer_prefixes=("/dashboard/v1",),
        code_packages=("client_api",),
    ),
)


@dataclass(frozen=True)
class StateMachineSpec:
    """A state machine from statemachines/<definition>. ASL placeholders (${ConsensusFunctionArn}…, see
    infra.asl) grant what they name; `access` (as FunctionSpec.access) grants what the ASL reaches by a value
    from its state, such as the annotator queue a Map sends to."""

    name: str
    description: str
    definition: str | None = None  # default "<name>.asl.json"
    access: tuple[str, ...] = ()


STATE_MACHINES: tuple[StateMachineSpec, ...] = (
    StateMachineSpec(
        name="item-flow",
        description="One data item through its project's task flow (a task token per task visit, routing)",
    ),
)


def by_name(name: str) -> FunctionSpec:
    for spec in FUNCTIONS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def http_function(path: str) -> FunctionSpec | None:
    """The function serving `path`, longest prefix first."""
    best = None
    for spec in FUNCTIONS:
        for prefix in spec.http_prefixes:
            if (path == prefix or path.startswith(prefix + "/")) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), spec)
    return best[1] if best else None
