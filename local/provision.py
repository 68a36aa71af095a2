"""Create the platform's AWS resources on emulated AWS, from the same sources the CDK app reads:
table schemas from the pynamodb models, functions from infra.catalog."""

import io
import json
import zipfile

from bytebridge.aws import client, reset_clients
from bytebridge.dal.tables import ALL_MODELS
from bytebridge.settings import get_settings, resource_name
from infra.catalog import FUNCTIONS, QUEUES

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


def create_queues() -> dict[str, str]:
    """Every queue of the catalog, dead-letter queues first so redrive policies can name them. No event
    source mappings here: moto fires them inside send_message, ignoring DelaySeconds and partial batch
    failures, so the local scheduler polls consumer queues instead (local.scheduler.pump_queue)."""
    sqs = client("sqs")
    urls: dict[str, str] = {}
    for spec in sorted(QUEUES, key=lambda q: q.dead_letter is not None):
        attributes = {
            "VisibilityTimeout": str(spec.visibility_timeout_seconds),
            "MessageRetentionPeriod": str(spec.retention_seconds),
        }
        if spec.dead_letter:
            dlq_arn = sqs.get_queue_attributes(QueueUrl=urls[spec.dead_letter], AttributeNames=["QueueArn"])
            redrive = {
                "deadLetterTargetArn": dlq_arn["Attributes"]["QueueArn"],
                "maxReceiveCount": spec.max_receive_count,
            }
            attributes["RedrivePolicy"] = json.dumps(redrive)
        urls[spec.name] = sqs.create_queue(QueueName=resource_name(spec.name), Attributes=attributes)["QueueUrl"]
    return urls


def verify_sender() -> None:
    """SES sends only from verified identities (moto enforces it too)."""
    client("ses").verify_email_identity(EmailAddress=get_settings().notify_from)


def provision() -> None:
    """Everything the platform needs, on the emulated AWS that is active in this process."""
    reset_clients()
    create_secrets_key()
    create_tables()
    create_buckets()
    create_functions()
    create_queues()
    verify_sender()
