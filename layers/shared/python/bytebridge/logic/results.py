"""acceptResults as a use case: delivery records the client's decisions, then the items this call rejected go
back through their flow (the engine's rework launch: one round later, free). If the launch fails the
rejections are undone, so the client can reject again, and the error propagates."""

from bytebridge.dal.accounts import AccountModel
from bytebridge.delivery import acceptance
from bytebridge.engine.launch import launch_items
from bytebridge.models.results import AcceptResultsData, AcceptResultsParams


def accept_results(account: AccountModel, params: AcceptResultsParams) -> AcceptResultsData:
    decided = acceptance.decide(account, params)
    if decided.rejected:
        project_id = decided.data.project_id
        try:
            launch_items(project_id, decided.rejected, rework=True)
        except Exception:
            acceptance.reopen(project_id, decided.rejected)
            raise
    return decided.data
