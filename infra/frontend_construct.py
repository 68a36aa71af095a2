"""The dashboard SPA: a private S3 bucket behind CloudFront (origin access control), ready for the build output
of dashboard/ (`aws s3 sync dashboard/dist s3://<SiteBucket>`, see docs/deploy.md). The APIs' prefixes are
routed through the same distribution (each to the REST or the HTTP API serving it), so the SPA and the annotator
workbench call their own origin and need no CORS."""

from collections.abc import Iterable

from aws_cdk import CfnOutput, Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.catalog import FunctionSpec
from infra.config import StageConfig
from infra.nag import acknowledge
from infra.site_deployment_construct import SiteDeploymentConstruct
from infra.site_policy import content_security_policy

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
        http_api_domain: str | None = None,
        specs: Iterable[FunctionSpec],
        logs_bucket: s3.IBucket,
        data_origins: Iterable[str] = (),
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

        def api_behavior(origin: cloudfront.IOrigin) -> cloudfront.BehaviorOptions:
            return cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            )

        rest = api_behavior(origins.RestApiOrigin(api))
        # The HTTP API's $default stage has no stage prefix: its host alone is the origin.
        http = api_behavior(origins.HttpOrigin(http_api_domain)) if http_api_domain else None
        behaviors: dict[str, cloudfront.BehaviorOptions] = {}
        for spec in specs:
            if spec.http_api and http is None:
                raise ValueError(f"{spec.name} is on the HTTP API but the distribution was given none")
            for prefix in spec.http_prefixes:
                behaviors[f"{prefix}/*"] = http if spec.http_api and http is not None else rest
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
                response_headers_policy=self._site_headers(config, data_origins),
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=rewrite, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors=dict(sorted(behaviors.items())),
        )
        CfnOutput(self, "SiteBucketName", value=self.bucket.bucket_name, description="dashboard build goes here")
        CfnOutput(self, "DistributionId", value=self.distribution.distribution_id)
        CfnOutput(self, "SiteUrl", value=f"https://{self.distribution.distribution_domain_name}")

        SiteDeploymentConstruct(self, "Site", bucket=self.bucket)

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

    def _site_headers(self, config: StageConfig, data_origins: Iterable[str]) -> cloudfront.ResponseHeadersPolicy:
        """The security headers of CloudFront's managed policy plus the app's CSP (infra.site_policy: the local
        gateway sends the same one)."""
        return cloudfront.ResponseHeadersPolicy(
            self,
            "SiteHeaders",
            response_headers_policy_name=config.name("site-headers"),
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(data_origins=data_origins), override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True
                ),
            ),
        )
