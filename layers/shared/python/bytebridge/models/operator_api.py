"""Wire models of the operator API (/operator/v1, JWT, `operators` group): request bodies; answers are JSON
objects ({"error": {"code", "message"}} on failure, with an HTTP status)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel


class _Wire(BaseModel):
    # defer_build: validators are built on first use, so a cold start builds only the models its route uses
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True)


class ApproveRequest(_Wire):
    trial_size: int | None = Field(None, ge=1, description="Trial sample size (default: max(20, 5% of the items))")


class RejectRequest(_Wire):
    reasons: list[str] = Field(
        min_length=1, description="flow_logic, flow_wording, files_not_standard, sensitive_content"
    )
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class TrialSizeRequest(_Wire):
    size: int = Field(ge=1)


class DisputesAnswerRequest(_Wire):
    text: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
    relabel: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=1000, description="Trial items to label again, free of charge"
    )


class MessageRequest(_Wire):
    text: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
    item_id: str | None = None


class DisputeAcceptRequest(_Wire):
    amount_cents: int = Field(ge=1, description="Credited to the balance: at most what the disputed items cost")
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class DisputeRejectRequest(_Wire):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
