"""The price list: what the client pays per task an item goes through (docs: 扣款的金额 = ∑ 任务 × 任务单价).
A task is one node visit of one item, whatever number of annotators consensus needed for it."""

from bytebridge.annotations import TaskType

# US cents per task, by task type: the published table (GET /api/v1/prices). Clients cannot set prices; operators
# may negotiate a project's (bytebridge.billing.prices), frozen with the flow version at start.
UNIT_PRICE_CENTS: dict[TaskType, int] = {
    TaskType.SINGLE_CHOICE: 2,
    TaskType.MULTIPLE_CHOICE: 3,
    TaskType.RECTANGLE: 6,
    TaskType.FREE_POINT: 6,
    TaskType.STROKE: 8,
    TaskType.CUBE: 12,
    TaskType.ROTATED_BOX: 8,
    TaskType.POLYGON: 10,
    TaskType.SEGMENTATION: 20,
    TaskType.TRANSCRIPTION: 5,
}
