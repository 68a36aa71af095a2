"""The dashboard SPA: a private S3 bucket behind CloudFront (origin access control), ready for the build output
of dashboard/ (`aws s3 sync dashboard/dist s3://<SiteBucket>`, see docs/deploy.md). The API's prefixes are
routed through the same distribution, so the SPA calls its own origin and needs no CORS."""

from collections.abc import Iterable

from aws_cdk import CfnOutput, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.catalog import FunctionSpec
from infra.config import StageConfig
from infra.nag import acknowledge

# Client-side routes (no file extension) get the SPA's index.html; files are served as they are.
SPA_REWRITE = """
function handler(event) {
  var request = event.request;
  if (request.uri.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
"""


class FrontendConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        api: apigw.RestApi,
        specs: Iterable[FunctionSpec],
        logs_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, id)
        self.bucket = s3.Bucket(
            self,
            "SiteBucket",
            # The SPA's files are public through CloudFront anyway; SSE-S3 avoids a key policy for CloudFront.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=logs_bucket,
            server_access_logs_prefix="s3/site/",
            removal_policy=RemovalPolicy.RETAIN,
        )
        rewrite = cloudfront.Function(
            self,
            "SpaRewrite",
            function_name=config.name("spa-rewrite"),
            comment="client-side routes → /index.html",
            code=cloudfront.FunctionCode.from_inline(SPA_REWRITE),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        api_behavior = cloudfront.BehaviorOptions(
            origin=origins.RestApiOrigin(api),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        )
        prefixes = sorted({prefix for spec in specs for prefix in spec.http_prefixes})
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"ByteBridge {config.stage}: dashboard and API",
            default_root_object="index.html",
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True,
            log_bucket=logs_bucket,
            log_file_prefix="cloudfront/",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=rewrite, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={f"{prefix}/*": api_behavior for prefix in prefixes},
        )
        CfnOutput(self, "SiteBucketName", value=self.bucket.bucket_name, description="dashboard build goes here")
        CfnOutput(self, "DistributionId", value=self.distribution.distribution_id)
        CfnOutput(self, "SiteUrl", value=f"https://{self.distribution.distribution_domain_name}")

        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "no custom domain yet: the default *.cloudfront.net certificate's policy is fixed at TLSv1; add "
            "the domain's certificate with minimum_protocol_version=TLS_V1_2_2021 when there is one",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "clients and annotators are worldwide: no country is excluded by design",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "no WAF web ACL for now ($5+/month idle); the API behind it throttles per stage and checks signatures",
        )
