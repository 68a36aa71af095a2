"""The Lambda functions of the platform, as plain data: the CDK app deploys each one and the local
runtime invokes the same handler in-process, so the two cannot list different functions."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FunctionSpec:
    name: str  # logical name; physical name is resource_name(name)
    handler: str  # "package.module.attribute" under functions/
    description: str
    timeout_seconds: int = 30
    memory_mb: int = 512
    environment: dict[str, str] = field(default_factory=dict)
    http_prefixes: tuple[str, ...] = ()  # API paths this function serves (proxy integration)


FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        name="client-api",
        handler="client_api.handler.lambda_handler",
        description="Signed client API (documented ByteBridge API)",
        timeout_seconds=29,
        http_prefixes=("/api/v1",),
    ),
)


def by_name(name: str) -> FunctionSpec:
    for spec in FUNCTIONS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def http_function(path: str) -> FunctionSpec | None:
    """The function serving `path`, longest prefix first."""
    best = None
    for spec in FUNCTIONS:
        for prefix in spec.http_prefixes:
            if (path == prefix or path.startswith(prefix + "/")) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), spec)
    return best[1] if best else None
