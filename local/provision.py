"""Create the platform's AWS resources on emulated AWS, from the same sources the CDK app reads:
table schemas from the pynamodb models, functions from infra.catalog."""

import io
import json
import zipfile

from bytebridge.aws import client, reset_clients
from bytebridge.dal.tables import ALL_MODELS
from bytebridge.settings import get_settings, resource_name
from infra.catalog import FUNCTIONS

LAMBDA_ROLE = "bytebridge-local-lambda"


def _placeholder_zip() -> bytes:
    # moto needs code to create a function; the handler actually run is ours, in-process.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


def create_secrets_key() -> str:
    kms = client("kms")
    key_id = kms.create_key(Description="ByteBridge API secrets")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=get_settings().secrets_key_id, TargetKeyId=key_id)
    return key_id


def create_tables() -> None:
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(wait=True)


def create_buckets() -> None:
    s3 = client("s3")
    for bucket in (get_settings().data_bucket, get_settings().exports_bucket):
        s3.create_bucket(Bucket=bucket)


def create_functions() -> dict[str, str]:
    iam = client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role_arn = iam.create_role(RoleName=LAMBDA_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    code = _placeholder_zip()
    arns = {}
    for spec in FUNCTIONS:
        out = client("lambda").create_function(
            FunctionName=resource_name(spec.name),
            Runtime="python3.11",
            Role=role_arn,
            Handler="index.handler",
            Code={"ZipFile": code},
            Timeout=spec.timeout_seconds,
            MemorySize=spec.memory_mb,
        )
        arns[spec.name] = out["FunctionArn"]
    return arns


def provision() -> None:
    """Everything the platform needs, on the emulated AWS that is active in this process."""
    reset_clients()
    create_secrets_key()
    create_tables()
    create_buckets()
    create_functions()
