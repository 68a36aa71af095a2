"""The built dashboard (dashboard/dist) copied into the site bucket on deploy, with the cache rules of
infra.site_policy: hashed files under assets/ immutable for a year, everything else (index.html) revalidated, and a
deploy seen at once without an invalidation."""

from pathlib import Path

from aws_cdk import Stack
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.nag import acknowledge
from infra.site_policy import IMMUTABLE, REVALIDATE

SITE_BUILD = Path(__file__).resolve().parent.parent / "dashboard" / "dist"


class SiteDeploymentConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        bucket: s3.IBucket,
        build: Path = SITE_BUILD,
    ) -> None:
        super().__init__(scope, id)
        if not (build / "index.html").is_file():
            raise FileNotFoundError(f"{build}/index.html is missing: build the dashboard first (make dashboard)")
        source = s3deploy.Source.asset(str(build))
        # Assets first (never pruned: a browser holding the previous index.html still loads its old chunks) …
        assets = s3deploy.BucketDeployment(
            self,
            "Assets",
            sources=[source],
            destination_bucket=bucket,
            include=["assets/*"],
            exclude=["*"],
            prune=False,
            cache_control=[s3deploy.CacheControl.from_string(IMMUTABLE)],
            memory_limit=512,
        )
        # … then the entry points that name them, revalidated on every visit and invalidated at the edge.
        entry = s3deploy.BucketDeployment(
            self,
            "EntryPoints",
            sources=[source],
            destination_bucket=bucket,
            exclude=["assets/*"],
            prune=False,
            # no-cache: CloudFront keeps it for its minimum TTL (1 s) only, so no invalidation (and its Resource::*
            # grant) is needed for a deploy to be seen
            cache_control=[s3deploy.CacheControl.from_string(REVALIDATE)],
            memory_limit=512,
        )
        entry.node.add_dependency(assets)
        # The copying is CDK's own singleton function (one per stack and memory size), beside this construct.
        for copier in Stack.of(self).node.children:
            if copier.node.id.startswith("Custom::CDKBucketDeployment"):
                for rule, reason in COPIER_FINDINGS.items():
                    acknowledge(copier, rule, reason)


# What cdk-nag finds on CDK's BucketDeployment function, which this code does not write: it runs only on deploy.
COPIER_FINDINGS = {
    "AwsSolutions-L1": "CDK's BucketDeployment function: its runtime is chosen by the aws-cdk-lib version pinned here",
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]": (
        "CDK's BucketDeployment function uses the AWS managed basic execution role for its logs"
    ),
    "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]": (
        "CDK's BucketDeployment reads the build from the CDK bootstrap asset bucket's objects"
    ),
}
