"""Projects: the documented configuration, lifecycle status, and progress counters."""

from enum import StrEnum

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, TimestampMs, table


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

    @property
    def code(self) -> int:
        return list(ProjectStatus).index(self)

    @property
    def opened(self) -> bool:
        """Opened for review or beyond: the configuration is frozen (code 28)."""
        return self not in (ProjectStatus.DRAFT,)


class OptionMap(MapAttribute):
    value = UnicodeAttribute()


class ProjectIdIndex(GlobalSecondaryIndex):
    """Look a project up by id alone (workers, the engine, scheduled jobs); tenancy is checked after."""

    class Meta:
        index_name = "project-id"
        projection = AllProjection()

    project_id = UnicodeAttribute(hash_key=True)


class ProjectStatusIndex(GlobalSecondaryIndex):
    """Projects by status, oldest change first: what the scheduled jobs walk instead of scanning."""

    class Meta:
        index_name = "status-updated"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class ProjectModel(Model):
    class Meta(BaseMeta):
        table_name = table("projects")

    user_id = UnicodeAttribute(hash_key=True)
    project_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    type = UnicodeAttribute()
    task_type = UnicodeAttribute()
    instruction = UnicodeAttribute(default="")
    question = UnicodeAttribute(null=True)
    target = UnicodeAttribute(null=True)  # what to frame, for frame-select types
    options = ListAttribute(of=OptionMap, default=list)
    status = UnicodeAttribute(default=ProjectStatus.DRAFT.value)
    created_at = TimestampMs()
    updated_at = TimestampMs()
    started_at = TimestampMs(null=True)
    completed_at = TimestampMs(null=True)
    version = VersionAttribute()

    # Progress, kept current by the engine so retrieveProject never scans items.
    item_count = NumberAttribute(default=0)
    not_started_count = NumberAttribute(default=0)
    processing_count = NumberAttribute(default=0)
    completed_count = NumberAttribute(default=0)
    success_count = NumberAttribute(default=0)
    failed_count = NumberAttribute(default=0)
    output_count = NumberAttribute(default=0)
    amount_spent_cents = NumberAttribute(default=0)
    # URLs ever accepted by submitResource; unlike item_count it never drops when files are purged, so
    # starting a project whose files are all gone answers code 10's second text, not 11 ("never uploaded").
    resources_submitted = NumberAttribute(default=0)
    # The latest saved task flow (bytebridge.dal.flows); none: the documented one-task flow, saved at start.
    flow_version = NumberAttribute(null=True)
    flow_origin = UnicodeAttribute(null=True)  # documented | custom | template:<name>
    # Set while a start is in flight (ms it expires): a concurrent second start answers code 18.
    start_lock_until = TimestampMs(null=True)

    project_id_index = ProjectIdIndex()
    status_index = ProjectStatusIndex()

    @property
    def status_enum(self) -> ProjectStatus:
        return ProjectStatus(self.status)
