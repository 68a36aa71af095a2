"""Conditional writes whose refusal is an answer, not an error: the state moved on (a repeated event, a
concurrent caller), and the caller decides what that means."""

from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from bytebridge.logic.projects import conditional_failure


def update_if(row: Model, actions: list, condition, **options) -> bool:
    """Apply `actions` if `condition` holds; False if DynamoDB refused on the condition. `options` go to
    Model.update (add_version_condition=False for a partial row of a versioned model)."""
    try:
        row.update(actions=actions, condition=condition, **options)
    except UpdateError as exc:
        if not conditional_failure(exc):
            raise
        return False
    return True
