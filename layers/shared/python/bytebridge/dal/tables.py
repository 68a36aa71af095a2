"""Every table model, in one list: the local runtime and the CDK app create tables from it."""

from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.delivery import ProjectDeliveryModel
from bytebridge.dal.exports import ExportModel
from bytebridge.dal.items import ItemModel
from bytebridge.dal.projects import ProjectModel
from bytebridge.dal.replay import SeenRequestModel
from bytebridge.dal.unique_keys import UniqueKeyModel

ALL_MODELS = [
    AccountModel,
    UniqueKeyModel,
    SeenRequestModel,
    ProjectModel,
    ItemModel,
    ProjectDeliveryModel,
    ExportModel,
]
