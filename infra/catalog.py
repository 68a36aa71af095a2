"""The Lambda functions of the platform, as plain data: the CDK app deploys each one and the local
runtime invokes the same handler in-process, so the two cannot list different functions."""

from dataclasses import dataclass, field

# Annotator queue families (bytebridge.engine.queues.FAMILIES maps task types onto them).
TASK_FAMILIES = ("choice", "boxes", "points", "shapes", "masks", "text")


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
    # EventBridge schedule expression ("rate(1 hour)", "cron(...)"); the local scheduler runs rate() ones too.
    schedule: str | None = None
    # What the function may touch on AWS; the CDK app turns each entry into one exact grant (least privilege),
    # the local runtime ignores it. "table:<base>:read|write" (base = table name without the stage prefix),
    # "bucket:data|exports:read|write", "queue:<name>:read|send|consume", "function:<name>:invoke",
    # "key:secrets:encrypt|decrypt", "email:send", "workflow:<name>:start|respond",
    # "workflow:<name>:stop" (its executions), "userpool:users:signup" (the auth API's admin calls on the user pool).
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
            "key:notices:mac",  # /auth/v1/unsubscribe checks the link's HMAC
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
        ),
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
        description="Item flow step: consolidates a task's judgments (adaptive overlap), routes the item on",
        timeout_seconds=60,
        memory_mb=1024,  # numpy consolidation of masks and many boxes
        access=(
            "table:items:write",
            "table:projects:write",
            "table:flows:read",
            "table:judgments:read",
            "table:workers:read",
            "table:accounts:read",
            "table:delivery:write",
            "table:project-history:write",  # trial → trialDone when the last trial item finishes
            "queue:callbacks:send",
            *(f"queue:tasks-{family}:read" for family in TASK_FAMILIES),
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
            "table:delivery:write",
            "queue:callbacks:send",
            "workflow:item-flow:start",
        ),
    ),
    FunctionSpec(
        name="worker-api",
        handler="worker_api.handler.lambda_handler",
        description="Annotators: claim tasks (long poll), heartbeat, submit, release, data links",
        timeout_seconds=29,
        http_prefixes=("/worker/v1",),
        access=(
            "table:workers:write",
            "table:judgments:write",
            "table:assignments:write",
            "table:items:read",
            "table:projects:read",
            "table:flows:read",
            "table:gold:read",
            "bucket:data:read",
            "workflow:item-flow:respond",
            *(f"queue:tasks-{family}:consume" for family in TASK_FAMILIES),
            *(f"queue:tasks-{family}:send" for family in TASK_FAMILIES),
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
        description="One data item through its project's task flow (annotator slots, consensus, routing)",
        access=tuple(f"queue:tasks-{family}:send" for family in TASK_FAMILIES),
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
