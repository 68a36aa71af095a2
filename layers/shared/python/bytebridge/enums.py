"""Wire and stored enumerations: the strings the documented API reports and the tables hold. A primitive, so
that both the pydantic wire models and the table models use one definition."""

from enum import StrEnum


class ProjectStatus(StrEnum):
    """Lifecycle. The string is what retrieveProject reports; `code` is the number setProject reports."""

    DRAFT = "draft"  # created; editable; resources may be added
    CHECKING = "checking"  # submitted ("start"): operators review it (docs: 审核)
    TRIAL = "trial"  # a sample is being labeled
    TRIAL_DONE = "trialDone"  # trial results wait for the client's verdict
    WAITING_PAYMENT = "waitingPayment"  # trial accepted; pre-charge pending
    IN_PROGRESS = "inProgress"
    PAUSED = "paused"
    COMPLETED = "completed"
    DELETED = "deleted"
    ENDING = "ending"  # ended early by the client: in-flight items are withdrawn, then it is completed

    @property
    def code(self) -> int:
        return list(ProjectStatus).index(self)

    @property
    def opened(self) -> bool:
        """Opened for review or beyond: the configuration is frozen (code 28)."""
        return self not in (ProjectStatus.DRAFT,)


class AccuracyLevel(StrEnum):
    """标注精度: the accuracy a task node's consolidated answers aim at (confidence targets in
    bytebridge.consensus.model.CONFIDENCE_TARGETS; prices per level in bytebridge.pricing)."""

    STANDARD = "standard"
    HIGH = "high"
    PREMIUM = "premium"


class ReviewReason(StrEnum):
    """Why operators rejected a project in review (docs FAQ: 审核不通过的原因)."""

    FLOW_LOGIC = "flow_logic"  # 流程逻辑错误
    FLOW_WORDING = "flow_wording"  # 流程文字错误
    FILES_NOT_STANDARD = "files_not_standard"  # 文件不符合标准
    SENSITIVE_CONTENT = "sensitive_content"  # 敏感内容


class ItemStatus(StrEnum):
    CHECKING = "checking"  # admitted; its bytes are being checked (bytebridge.ingest) before it may be launched
    REFUSED = "refused"  # failed the check (see the item's refusal): never launched, counted or billed
    NOT_STARTED = "notStarted"
    PROCESSING = "processing"
    COMPLETED = "completed"  # reached an end node with a result
    FAILED = "failed"  # could not be labeled (bad resource, flow error)


class Acceptance(StrEnum):
    PENDING = "pending"  # delivered, waiting for the client (auto-accepted after 21 days)
    ACCEPTED = "accepted"
    AUTO_ACCEPTED = "autoAccepted"
    REJECTED = "rejected"  # re-queued for free rework


class ResourceType(StrEnum):
    IMAGE = "image"
    AUDIO = "audio"
    TEXT = "text"
    GRAPHIC = "graphic"
    VIDEO = "video"  # mp4, webm, mov: probed at admission (bytebridge.avprobe)


class CreditState(StrEnum):
    OK = "ok"
    UNSETTLED = "unsettled"  # a charge failed: no new project may start (code 16)
    SETTLING = "settling"  # a top-up charge is in flight (code 17)


class ExportFormat(StrEnum):
    COCO = "coco"
    VOC = "voc"
    LABELME = "labelme"
    JSON = "json"  # the platform's native JSON Lines: one item per line, answers as stored
    NER_JSONL = "ner_jsonl"  # text entities: spaCy-style JSON Lines {"text", "spans"}
    CONLL = "conll"  # text entities: CoNLL-2003 BIO columns
    COCO_TEXT = "coco_text"  # OCR regions: COCO-Text fields on COCO's layout
    WEBVTT = "webvtt"  # audio segments: a .vtt subtitle file per recording, in a ZIP
    SRT = "srt"  # audio segments: a SubRip .srt file per recording, in a ZIP
    COCO_VIDEO = "coco_video"  # video detection/tracking: COCO with videos, frame ids and track ids
    MOT = "mot"  # video tracking: MOTChallenge gt.txt per clip, in a ZIP


class ExportStatus(StrEnum):
    QUEUED = "queued"  # recorded; the export function was invoked asynchronously
    RUNNING = "running"
    DONE = "done"  # the file is in the exports bucket under s3_key
    FAILED = "failed"  # see error; an async retry of the invocation may run it again


class ImportKind(StrEnum):
    """Where a bucket import reads (bytebridge.logic.imports)."""

    S3 = "s3"  # an S3 bucket, with the client's access keys
    S3_ROLE = "s3-role"  # an S3 bucket, through a role of the client's that we assume with an external id
    GCS = "gcs"  # a Google Cloud Storage bucket, with a service-account key file


class ImportStatus(StrEnum):
    LISTING = "listing"  # paging through the bucket, admitting each page
    CHECKING = "checking"  # every key listed and admitted; the admitted items' bytes are being checked
    DONE = "done"
    FAILED = "failed"  # see error (the bucket or its credentials stopped working)


class JudgmentStatus(StrEnum):
    CLAIMED = "claimed"  # leased to the annotator until lease_until
    SUBMITTED = "submitted"  # counts in consensus
    RELEASED = "released"  # given back or skipped; the annotator will not get this task again
    LAPSED = "lapsed"  # the task was re-issued or ended before the annotator answered


class WorkerStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"  # gold accuracy fell below the bar: no more work
