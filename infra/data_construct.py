"""Data at rest: the KMS keys, one DynamoDB table per pynamodb model, the client-data and export buckets,
and the access-log bucket the other buckets and CloudFront write to."""

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from bytebridge.dal.tables import ALL_MODELS
from infra.asl import pascal
from infra.config import StageConfig
from infra.nag import acknowledge
from infra.tables import Key, TableDef, table_def

ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


def _attribute(key: Key) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=ATTRIBUTE_TYPES[key.type])


class DataConstruct(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        self.config = config
        # One key for everything stored (tables, buckets, queues, topic); a separate one for API secrets, so
        # reading a table (or its backups) never implies being able to unseal the secrets in it.
        self.data_key = kms.Key(
            self,
            "DataKey",
            alias=f"alias/{config.name('data')}",
            description=f"ByteBridge {config.stage}: tables, buckets, queues, alarm topic",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
        )
        self.secrets_key = kms.Key(
            self,
            "SecretsKey",
            alias=config.secrets_key_alias,
            description=f"ByteBridge {config.stage}: client API secrets (bytebridge.secret_store)",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
        )
        # HMAC (never leaves KMS) for the unsubscribe links of non-essential notices. KMS does not rotate HMAC keys
        # automatically; rotating by hand would void the links in mails already sent.
        self.notices_key = kms.Key(
            self,
            "NoticesKey",
            alias=config.notices_key_alias,
            description=f"ByteBridge {config.stage}: unsubscribe links of e-mail notices",
            key_spec=kms.KeySpec.HMAC_256,
            key_usage=kms.KeyUsage.GENERATE_VERIFY_MAC,
            removal_policy=config.removal_policy,
        )
        self.secrets = {"stripe": self._stripe_secret()}
        self.tables = {d.base: self._table(d) for d in map(table_def, ALL_MODELS)}
        self.logs_bucket = self._logs_bucket()
        # invoices: SSE-KMS like the others, apart from project files (purges never touch them)
        self.buckets = {name: self._bucket(name) for name in ("data", "exports", "invoices")}

    def _stripe_secret(self) -> secretsmanager.Secret:
        """Stripe's secret key, webhook signing secret and publishable key (bytebridge.billing.stripe_gateway), sealed
        with the secrets key. Deployed with placeholders; an operator puts the real values once (docs/billing.md)."""
        secret = secretsmanager.Secret(
            self,
            "StripeSecret",
            secret_name=self.config.name("stripe"),
            description=f"ByteBridge {self.config.stage}: Stripe keys (secretKey, webhookSecret, publishableKey)",
            encryption_key=self.secrets_key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template='{"secretKey": "", "publishableKey": ""}', generate_string_key="webhookSecret"
            ),
            removal_policy=self.config.removal_policy,
        )
        acknowledge(secret, "AwsSolutions-SMG4", "Stripe's keys are rolled in Stripe's dashboard, then put by hand")
        return secret

    def _table(self, definition: TableDef) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            f"{pascal(definition.base)}Table",
            table_name=self.config.name(definition.base),
            partition_key=_attribute(definition.partition),
            sort_key=_attribute(definition.sort) if definition.sort else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.data_key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=definition.ttl_attribute,
            deletion_protection=self.config.is_prod,
            removal_policy=self.config.removal_policy,
        )
        for index in definition.global_indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_attribute(index.partition),
                sort_key=_attribute(index.sort) if index.sort else None,
                projection_type=dynamodb.ProjectionType(index.projection),
                non_key_attributes=list(index.non_key_attributes) or None,
            )
        for index in definition.local_indexes:
            # A local index shares the table's partition key: its own sort key is what defines it.
            assert index.sort is not None, f"{definition.base}.{index.name}: a local index needs a sort key"
            table.add_local_secondary_index(
                index_name=index.name,
                sort_key=_attribute(index.sort),
                projection_type=dynamodb.ProjectionType(index.projection),
                non_key_attributes=list(index.non_key_attributes) or None,
            )
        return table

    def _logs_bucket(self) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "AccessLogsBucket",
            # S3 server access logging can only deliver to SSE-S3 buckets, and CloudFront's standard logs need
            # ACLs (object writer ownership); nothing in here is client data.
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(bucket, "AwsSolutions-S1", "this is the access-log bucket; logging it into itself would loop")
        return bucket

    def _bucket(self, name: str) -> s3.Bucket:
        return s3.Bucket(
            self,
            f"{pascal(name)}Bucket",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.data_key,
            bucket_key_enabled=True,  # one KMS call per bucket key, not per object: KMS requests stay ~0
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            # No versioning on purpose: retention and project deletion promise the files are gone, and
            # noncurrent versions would keep them.
            versioned=False,
            server_access_logs_bucket=self.logs_bucket,
            server_access_logs_prefix=f"s3/{name}/",
            lifecycle_rules=[s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1))],
            # Buckets holding objects cannot be deleted by CloudFormation anyway; keep them and say so.
            removal_policy=RemovalPolicy.RETAIN,
        )
