"""Create the platform's AWS resources on emulated AWS, from the same sources the CDK app reads:
table schemas from the pynamodb models, functions from infra.catalog."""

import io
import json
import os
import zipfile

from bytebridge.aws import client, reset_clients
from bytebridge.dal.tables import ALL_MODELS
from bytebridge.settings import get_settings, resource_name
from infra import asl, identity_spec
from infra.catalog import FUNCTIONS, QUEUES, STATE_MACHINES
from local.stripe_local import provision_stripe

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


def create_notices_key() -> str:
    """The HMAC key signing unsubscribe links (bytebridge.delivery.notices.unsubscribe)."""
    kms = client("kms")
    key_id = kms.create_key(
        Description="ByteBridge notices: unsubscribe links", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC"
    )["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=get_settings().notices_key_id, TargetKeyId=key_id)
    return key_id


def create_tables() -> None:
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(wait=True)


def create_buckets() -> None:
    s3 = client("s3")
    settings = get_settings()
    for bucket in (settings.data_bucket, settings.exports_bucket, settings.invoices_bucket):
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


def _resolved(definition: str, functions: dict[str, str], queues: dict[str, str]) -> str:
    """The ASL with its ${...} placeholders replaced by the local resources they name (as CDK does on AWS)."""
    sqs = client("sqs")
    buckets = {"data": get_settings().data_bucket, "exports": get_settings().exports_bucket}
    tables = {model.Meta.table_name.removeprefix(resource_name("")): model.Meta.table_name for model in ALL_MODELS}
    for placeholder in asl.placeholders(definition):
        kind, attribute = placeholder.kind, placeholder.attribute
        if kind == "function":
            value = functions[placeholder.target(list(functions))]
        elif kind == "queue":
            url = queues[placeholder.target(list(queues))]
            value = (
                url
                if attribute == "url"
                else sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            )
        elif kind == "table":
            name = tables[placeholder.target(list(tables))]
            value = name if attribute == "name" else f"arn:aws:dynamodb:us-east-1:123456789012:table/{name}"
        else:
            value = buckets[placeholder.target(list(buckets))]
        definition = definition.replace("${" + placeholder.text + "}", value)
    return definition


def create_state_machines(functions: dict[str, str], queues: dict[str, str]) -> dict[str, str]:
    """Every state machine of the catalog from its ASL file; STATE_MACHINE_ARN names the item flow's."""
    iam = client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role_arn = iam.create_role(RoleName="bytebridge-local-states", AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "Arn"
    ]
    arns = {}
    for spec in STATE_MACHINES:
        definition = _resolved(asl.definition_path(spec).read_text(), functions, queues)
        arns[spec.name] = client("stepfunctions").create_state_machine(
            name=resource_name(spec.name), definition=definition, roleArn=role_arn, type="STANDARD"
        )["stateMachineArn"]
    os.environ["STATE_MACHINE_ARN"] = arns["item-flow"]
    get_settings.cache_clear()
    return arns


def verify_sender() -> None:
    """SES sends only from verified identities (moto enforces it too)."""
    client("ses").verify_email_identity(EmailAddress=get_settings().notify_from)


def create_user_pool() -> tuple[str, str]:
    """The Cognito user pool, its groups and app client (infra.identity_spec, as the CDK app deploys them);
    USER_POOL_ID and USER_POOL_CLIENT_ID name them. Returns (pool id, client id)."""
    idp = client("cognito-idp")
    policy = identity_spec.PASSWORD_POLICY
    pool_id = idp.create_user_pool(
        PoolName=resource_name(identity_spec.POOL_BASE),
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=[],  # Cognito mails nothing: the auth API sends its own codes
        Policies={
            "PasswordPolicy": {
                "MinimumLength": policy.minimum_length,
                "RequireUppercase": policy.require_uppercase,
                "RequireLowercase": policy.require_lowercase,
                "RequireNumbers": policy.require_digits,
                "RequireSymbols": policy.require_symbols,
            }
        },
        Schema=[
            {
                "Name": name,
                "AttributeDataType": "String",
                "Mutable": True,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": str(length)},
            }
            for name, length in identity_spec.CUSTOM_ATTRIBUTES.items()
        ],
    )["UserPool"]["Id"]
    for group, description in identity_spec.GROUP_DESCRIPTIONS.items():
        idp.create_group(UserPoolId=pool_id, GroupName=group, Description=description)
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=resource_name(identity_spec.CLIENT_BASE),
        GenerateSecret=False,
        ExplicitAuthFlows=list(identity_spec.CLIENT_AUTH_FLOWS),
        WriteAttributes=["email"],
    )["UserPoolClient"]["ClientId"]
    os.environ["USER_POOL_ID"] = pool_id
    os.environ["USER_POOL_CLIENT_ID"] = client_id
    get_settings.cache_clear()
    return pool_id, client_id


def provision() -> None:
    """Everything the platform needs, on the emulated AWS that is active in this process."""
    reset_clients()
    create_secrets_key()
    create_notices_key()
    create_tables()
    create_buckets()
    functions = create_functions()
    queues = create_queues()
    create_state_machines(functions, queues)
    verify_sender()
    create_user_pool()
    provision_stripe()
