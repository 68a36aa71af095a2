"""Tables, keys and buckets: the template's table schemas are the pynamodb models' (what pynamodb's own
create_table sends, which the local runtime uses), and everything is encrypted, private and TLS-only."""

import importlib
import pkgutil

import pytest
from aws_cdk.assertions import Match
from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

from bytebridge import dal
from bytebridge.dal.flows import FlowModel
from bytebridge.dal.gold import GoldModel
from bytebridge.dal.items import ItemModel
from bytebridge.dal.judgments import AssignmentModel, JudgmentModel
from bytebridge.dal.replay import SeenRequestModel
from bytebridge.dal.tables import ALL_MODELS
from bytebridge.dal.workers import WorkerModel
from infra.config import StageConfig
from infra.tables import table_base
from tests.infra.cfn import STAGES, listed, ref_ids

pytestmark = pytest.mark.xdist_group("cdk")


def _tables_by_name(synth, stage="dev") -> dict[str, dict]:
    return {
        r["Properties"]["TableName"]: r["Properties"] for r in synth.resources("AWS::DynamoDB::Table", stage).values()
    }


def _key_schema(schema: list[dict]) -> dict[str, str]:
    return {k["KeyType"]: k["AttributeName"] for k in schema}


def _indexes(raw: list[dict], *, cloudformation: bool) -> dict[str, tuple]:
    out = {}
    for index in raw:
        name = index["IndexName"] if cloudformation else index["index_name"]
        keys = index["KeySchema"] if cloudformation else index["key_schema"]
        projection = index["Projection"] if cloudformation else index["projection"]
        out[name] = (
            _key_schema(keys),
            projection["ProjectionType"],
            tuple(sorted(projection.get("NonKeyAttributes", ()))),
        )
    return out


@pytest.mark.parametrize("stage", STAGES)
def test_table_schemas_equal_the_pynamodb_models(synth, stage):
    tables = _tables_by_name(synth, stage)
    expected_names = {StageConfig(stage=stage).name(table_base(model)) for model in ALL_MODELS}
    assert set(tables) == expected_names  # one table per model, none more

    for model in ALL_MODELS:
        table = tables[StageConfig(stage=stage).name(table_base(model))]
        schema = model._get_schema()
        assert _key_schema(table["KeySchema"]) == _key_schema(schema["key_schema"]), model.__name__
        assert {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]} == {
            (a["AttributeName"], a["AttributeType"]) for a in schema["attribute_definitions"]
        }, model.__name__
        assert _indexes(table.get("GlobalSecondaryIndexes", []), cloudformation=True) == _indexes(
            schema["global_secondary_indexes"], cloudformation=False
        ), model.__name__
        assert _indexes(table.get("LocalSecondaryIndexes", []), cloudformation=True) == _indexes(
            schema["local_secondary_indexes"], cloudformation=False
        ), model.__name__


def test_items_table_spelled_out(synth):
    """The generic comparison above, pinned on one table by hand, so a mapping bug shared by the app and the
    comparison cannot hide."""
    items = _tables_by_name(synth)["bytebridge-dev-items"]
    assert _key_schema(items["KeySchema"]) == {"HASH": "project_id", "RANGE": "item_id"}
    indexes = {i["IndexName"]: i for i in items["GlobalSecondaryIndexes"]}
    assert indexes["acceptance-delivered"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert _key_schema(indexes["acceptance-delivered"]["KeySchema"]) == {"HASH": "acceptance", "RANGE": "delivered_at"}
    assert {"AttributeName": "delivered_at", "AttributeType": "N"} in items["AttributeDefinitions"]
    assert ItemModel.Meta.table_name.endswith("-items")


def test_every_table_is_on_demand_encrypted_with_pitr(synth):
    data_key = next(k for k in synth.resources("AWS::KMS::Key") if k.startswith("DataDataKey"))
    for name, table in _tables_by_name(synth).items():
        assert table["BillingMode"] == "PAY_PER_REQUEST", name
        assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert table["SSESpecification"]["SSEEnabled"] is True, name
        assert table["SSESpecification"]["SSEType"] == "KMS", name
        assert ref_ids(table["SSESpecification"]["KMSMasterKeyId"]) == {data_key}, name


def test_ttl_only_where_a_model_has_a_ttl_attribute(synth):
    tables = _tables_by_name(synth)
    with_ttl = {name: t["TimeToLiveSpecification"] for name, t in tables.items() if "TimeToLiveSpecification" in t}
    expected = {
        StageConfig(stage="dev").name(table_base(model)): {"AttributeName": attribute.attr_name, "Enabled": True}
        for model in ALL_MODELS
        for attribute in model.get_attributes().values()
        if isinstance(attribute, TTLAttribute)
    }
    assert with_ttl == expected
    for model in (SeenRequestModel, AssignmentModel):  # pinned: replay windows, expired assignments
        assert StageConfig(stage="dev").name(table_base(model)) in with_ttl, model.__name__


def test_every_pynamodb_model_of_the_layer_is_a_table():
    """ALL_MODELS is what both the stack and the schema comparison above read: a model left out of it would be
    missing from the deployment and from the comparison alike."""
    defined = {
        model
        for info in pkgutil.iter_modules(dal.__path__, f"{dal.__name__}.")
        for model in vars(importlib.import_module(info.name)).values()
        if isinstance(model, type) and issubclass(model, Model) and model is not Model
    }
    assert defined == set(ALL_MODELS)
    assert {FlowModel, JudgmentModel, AssignmentModel, WorkerModel, GoldModel} <= defined  # the item engine's


def test_prod_keeps_its_data_and_dev_cleans_up(synth):
    for stage, protected, policy in (("prod", True, "Retain"), ("dev", False, "Delete")):
        for logical_id, table in synth.resources("AWS::DynamoDB::Table", stage).items():
            assert table["Properties"].get("DeletionProtectionEnabled", False) is protected, logical_id
            assert table["DeletionPolicy"] == policy, logical_id


@pytest.mark.parametrize("stage", STAGES)
def test_secrets_key_alias_is_stage_specific_and_passed_to_functions(synth, stage):
    alias = f"alias/bytebridge-{stage}-secrets"
    template = synth.template(stage)
    template.has_resource_properties("AWS::KMS::Alias", {"AliasName": alias, "TargetKeyId": Match.any_value()})
    for logical_id, function in synth.catalog_functions(stage).items():
        assert function["Properties"]["Environment"]["Variables"]["SECRETS_KEY_ID"] == alias, logical_id


def test_keys_rotate(synth):
    keys = synth.resources("AWS::KMS::Key")
    assert len(keys) == 3  # data + secrets + notices (HMAC): each is $1/month (docs/deploy.md)
    for logical_id, key in keys.items():
        if key["Properties"].get("KeySpec") == "HMAC_256":  # KMS cannot rotate HMAC keys automatically
            assert key["Properties"]["KeyUsage"] == "GENERATE_VERIFY_MAC", logical_id
            continue
        assert key["Properties"]["EnableKeyRotation"] is True, logical_id


def _ssl_denied(synth, bucket_id: str) -> bool:
    for policy in synth.resources("AWS::S3::BucketPolicy").values():
        if ref_ids(policy["Properties"]["Bucket"]) != {bucket_id}:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if (
                statement["Effect"] == "Deny"
                and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                and listed(statement["Action"]) == ["s3:*"]
            ):
                return True
    return False


def test_buckets_are_private_tls_only_and_encrypted(synth):
    buckets = synth.resources("AWS::S3::Bucket")
    data_key = next(k for k in synth.resources("AWS::KMS::Key") if k.startswith("DataDataKey"))
    assert len(buckets) == 5  # data, exports, invoices, access logs, site
    for logical_id, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, logical_id
        assert _ssl_denied(synth, logical_id), f"{logical_id} accepts plain HTTP"
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        if logical_id.startswith(("DataDataBucket", "DataExportsBucket", "DataInvoicesBucket")):
            assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms", logical_id
            assert ref_ids(rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]) == {data_key}, logical_id
            assert rule["BucketKeyEnabled"] is True, logical_id
            assert "LoggingConfiguration" in props, logical_id
            assert "VersioningConfiguration" not in props, logical_id  # purges must really delete
        else:  # access logs and the SPA: SSE-S3 (log delivery / CloudFront), nothing of clients'
            assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", logical_id


def test_functions_get_the_bucket_names(synth):
    buckets = synth.resources("AWS::S3::Bucket")
    data = next(k for k in buckets if k.startswith("DataDataBucket"))
    exports = next(k for k in buckets if k.startswith("DataExportsBucket"))
    invoices = next(k for k in buckets if k.startswith("DataInvoicesBucket"))
    for logical_id, function in synth.catalog_functions().items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["DATA_BUCKET"] == {"Ref": data}, logical_id
        assert variables["EXPORTS_BUCKET"] == {"Ref": exports}, logical_id
        assert variables["INVOICES_BUCKET"] == {"Ref": invoices}, logical_id
        assert variables["BYTEBRIDGE_STAGE"] == "dev", logical_id
