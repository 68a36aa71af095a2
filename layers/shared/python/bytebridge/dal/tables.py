"""Every table model, in one list: the local runtime and the CDK app create tables from it."""

from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.audit import AuditModel
from bytebridge.dal.codes import CodeModel
from bytebridge.dal.delivery import ProjectDeliveryModel
from bytebridge.dal.disputes import DisputeModel
from bytebridge.dal.exports import ExportModel
from bytebridge.dal.flows import FlowModel
from bytebridge.dal.gold import GoldModel
from bytebridge.dal.history import HistoryModel
from bytebridge.dal.imports import ImportModel
from bytebridge.dal.invoices import InvoiceCounterModel, InvoiceModel
from bytebridge.dal.items import ItemModel
from bytebridge.dal.judgments import AssignmentModel, JudgmentModel
from bytebridge.dal.ledger import LedgerModel
from bytebridge.dal.messages import MessageModel, MessageThreadModel
from bytebridge.dal.payments import PaymentModel
from bytebridge.dal.projects import ProjectModel
from bytebridge.dal.replay import SeenRequestModel
from bytebridge.dal.unique_keys import UniqueKeyModel
from bytebridge.dal.workers import WorkerModel

ALL_MODELS = [
    AccountModel,
    CodeModel,
    UniqueKeyModel,
    SeenRequestModel,
    ProjectModel,
    ItemModel,
    ProjectDeliveryModel,
    ExportModel,
    ImportModel,
    FlowModel,
    JudgmentModel,
    AssignmentModel,
    WorkerModel,
    GoldModel,
    HistoryModel,
    AuditModel,
    MessageModel,
    MessageThreadModel,
    LedgerModel,
    PaymentModel,
    InvoiceModel,
    InvoiceCounterModel,
    DisputeModel,
]
