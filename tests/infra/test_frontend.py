"""The dashboard's hosting: a private bucket read by CloudFront through origin access control only, HTTPS,
SPA routing, and the API's prefixes passed through uncached."""

import pytest

from infra.catalog import FUNCTIONS
from tests.infra.cfn import listed, ref_ids

pytestmark = pytest.mark.xdist_group("cdk")


def _distribution(synth) -> tuple[str, dict]:
    ((logical_id, distribution),) = synth.resources("AWS::CloudFront::Distribution").items()
    return logical_id, distribution["Properties"]["DistributionConfig"]


def test_site_bucket_is_read_through_origin_access_control_only(synth):
    distribution_id, config = _distribution(synth)
    (oac_id, oac), *_ = synth.resources("AWS::CloudFront::OriginAccessControl").items()
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    assert oac["Properties"]["OriginAccessControlConfig"]["OriginAccessControlOriginType"] == "s3"
    site = next(k for k in synth.resources("AWS::S3::Bucket") if k.startswith("FrontendSiteBucket"))
    s3_origins = [o for o in config["Origins"] if "S3OriginConfig" in o]
    (origin,) = s3_origins
    assert ref_ids(origin["DomainName"]) == {site}
    assert ref_ids(origin["OriginAccessControlId"]) == {oac_id}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI

    (policy,) = [
        p["Properties"]["PolicyDocument"]
        for p in synth.resources("AWS::S3::BucketPolicy").values()
        if ref_ids(p["Properties"]["Bucket"]) == {site}
    ]
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    (read,) = allows
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert listed(read["Action"]) == ["s3:GetObject"]
    assert ref_ids(read["Condition"]["StringEquals"]["AWS:SourceArn"]) == {distribution_id}


def test_https_spa_routing_and_logging(synth):
    _, config = _distribution(synth)
    default = config["DefaultCacheBehavior"]
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    (association,) = default["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    (function,) = synth.resources("AWS::CloudFront::Function").values()
    assert "/index.html" in function["Properties"]["FunctionCode"]
    assert config["DefaultRootObject"] == "index.html"
    assert "CustomErrorResponses" not in config  # would turn the API's 404s into index.html
    logs = next(k for k in synth.resources("AWS::S3::Bucket") if k.startswith("DataAccessLogsBucket"))
    assert ref_ids(config["Logging"]["Bucket"]) == {logs}


def test_api_prefixes_pass_through_uncached(synth):
    _, config = _distribution(synth)
    behaviors = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    prefixes = {prefix for spec in FUNCTIONS for prefix in spec.http_prefixes}
    assert set(behaviors) == {f"{prefix}/*" for prefix in prefixes}
    api = next(iter(synth.resources("AWS::ApiGateway::RestApi")))
    api_stage = next(iter(synth.resources("AWS::ApiGateway::Stage")))
    http_api = next(iter(synth.resources("AWS::ApiGatewayV2::Api")))
    custom = [o for o in config["Origins"] if "CustomOriginConfig" in o]
    (rest_origin,) = [o for o in custom if api in ref_ids(o["DomainName"])]
    (http_origin,) = [o for o in custom if http_api in ref_ids(o["DomainName"])]
    assert ref_ids(rest_origin["DomainName"]) == {api, api_stage}  # the REST API's stage URL
    assert ref_ids(rest_origin["OriginPath"]) == {api, api_stage}
    assert ref_ids(http_origin["DomainName"]) == {http_api} and "OriginPath" not in http_origin  # $default stage
    for origin in (rest_origin, http_origin):
        assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    on_http = {f"{prefix}/*" for spec in FUNCTIONS if spec.http_api for prefix in spec.http_prefixes}
    assert on_http == {"/worker/v1/*"}  # the annotator workbench stays same-origin with the dashboard
    for pattern, behavior in behaviors.items():
        api_origin = http_origin if pattern in on_http else rest_origin
        assert behavior["TargetOriginId"] == api_origin["Id"], pattern
        assert behavior["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", pattern  # CachingDisabled
        assert "POST" in behavior["AllowedMethods"], pattern
        assert behavior["ViewerProtocolPolicy"] == "https-only", pattern


def test_the_built_app_is_deployed_with_immutable_assets_and_a_revalidated_index(synth):
    deployments = [r["Properties"] for r in synth.resources("Custom::CDKBucketDeployment").values()]
    site = next(k for k in synth.resources("AWS::S3::Bucket") if k.startswith("FrontendSiteBucket"))
    by_cache = {tuple(d["SystemMetadata"]["cache-control"].split(", ")): d for d in deployments}
    assets = by_cache[("public", "max-age=31536000", "immutable")]
    entry = by_cache[("no-cache",)]
    assert ref_ids(assets["DestinationBucketName"]) == ref_ids(entry["DestinationBucketName"]) == {site}
    assert assets["Prune"] is False and entry["Prune"] is False  # old chunks stay for pages already open
    assert "assets/*" in assets["Include"] and "assets/*" in entry["Exclude"]
    assert "DistributionPaths" not in entry  # no-cache is enough: no invalidation, no Resource::* grant


def test_the_site_answers_with_the_apps_content_security_policy(synth):
    _, config = _distribution(synth)
    (policy_id,) = ref_ids(config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"])
    headers = synth.resources("AWS::CloudFront::ResponseHeadersPolicy")[policy_id]["Properties"]
    security = headers["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    text = csp if isinstance(csp, str) else "".join(p if isinstance(p, str) else "<ref>" for p in csp["Fn::Join"][1])
    directives = dict(part.strip().split(" ", 1) for part in text.split(";"))
    assert directives["script-src"] == "'self' https://js.stripe.com"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "<ref>" in directives["connect-src"]  # the data bucket, for browser uploads
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] == 365 * 24 * 3600
