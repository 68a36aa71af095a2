"""What every table model shares, and the write primitives the rest of the domain uses instead of pynamodb's
exceptions. Table names carry the stage, read when the model module loads (pynamodb binds names at class
creation); everything else stays lazy."""

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from pynamodb.attributes import Attribute
from pynamodb.connection import Connection
from pynamodb.constants import NUMBER
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from bytebridge.dal.errors import ConditionFailed
from bytebridge.settings import DEFAULT_REGION, get_settings, resource_name

M = TypeVar("M", bound=Model)


class BaseMeta:
    region = os.environ.get("AWS_REGION", DEFAULT_REGION)
    billing_mode = "PAY_PER_REQUEST"


_I = TypeVar("_I", bound=int | None)


class IntAttribute(Attribute[_I]):
    """A whole number (counts, cents, versions, times): stored and read exactly as pynamodb's NumberAttribute,
    typed `int`, or `int | None` when declared null=True (pynamodb types every number `float`, never None)."""

    attr_type = NUMBER

    if TYPE_CHECKING:

        @overload
        def __init__(
            self: "IntAttribute[int]",
            *,
            hash_key: bool = ...,
            range_key: bool = ...,
            null: Literal[False] = ...,
            default: int | Callable[[], int] | None = ...,
            attr_name: str | None = ...,
        ) -> None: ...

        @overload
        def __init__(
            self: "IntAttribute[int | None]",
            *,
            hash_key: bool = ...,
            range_key: bool = ...,
            null: Literal[True],
            default: int | Callable[[], int] | None = ...,
            attr_name: str | None = ...,
        ) -> None: ...

        def __init__(self, **kwargs: Any) -> None: ...

    def serialize(self, value: Any) -> str:
        return json.dumps(value)

    def deserialize(self, value: Any) -> Any:
        return json.loads(value)


class TimestampMs(IntAttribute[_I]):
    """Epoch milliseconds, the unit the documented API uses for timestamps."""

    if TYPE_CHECKING:  # as IntAttribute's (mypy cannot carry a self-type overload over to a generic subclass)

        @overload
        def __init__(
            self: "TimestampMs[int]",
            *,
            hash_key: bool = ...,
            range_key: bool = ...,
            null: Literal[False] = ...,
            default: int | Callable[[], int] | None = ...,
            attr_name: str | None = ...,
        ) -> None: ...

        @overload
        def __init__(
            self: "TimestampMs[int | None]",
            *,
            hash_key: bool = ...,
            range_key: bool = ...,
            null: Literal[True],
            default: int | Callable[[], int] | None = ...,
            attr_name: str | None = ...,
        ) -> None: ...

        def __init__(self, **kwargs: Any) -> None: ...


def table(base: str) -> str:
    return resource_name(base)


@cache
def _connection(region: str) -> Connection:
    # One per process: a new Connection builds a new botocore client, which loads the service model (~0.5 s).
    return Connection(region=region)


def _refused(exc: PynamoDBException) -> bool:
    """True if a write was refused by its condition (as opposed to failing)."""
    if isinstance(exc, TransactWriteError):
        return any(r is not None and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons)
    return exc.cause_response_code == "ConditionalCheckFailedException"


@contextmanager
def transact(**kwargs: Any) -> Iterator[TransactWrite]:
    """A write transaction on the process's connection; ConditionFailed if any condition in it was refused
    (nothing was written)."""
    try:
        with TransactWrite(connection=_connection(get_settings().region), **kwargs) as tx:
            yield tx
    except TransactWriteError as exc:
        if _refused(exc):
            raise ConditionFailed(str(exc)) from exc
        raise


def update(row: Model, actions: list, condition: Any = None, **options: Any) -> None:
    """Model.update; ConditionFailed if `condition` did not hold. `options` go to Model.update
    (add_version_condition=False for a partial row of a versioned model)."""
    try:
        row.update(actions=actions, condition=condition, **options)
    except UpdateError as exc:
        if _refused(exc):
            raise ConditionFailed(str(exc)) from exc
        raise


def update_if(row: Model, actions: list, condition: Any, **options: Any) -> bool:
    """Apply `actions` if `condition` holds; False if DynamoDB refused on the condition."""
    try:
        update(row, actions, condition, **options)
    except ConditionFailed:
        return False
    return True


def save(row: Model, condition: Any = None, **options: Any) -> None:
    """Model.save; ConditionFailed if `condition` did not hold."""
    try:
        row.save(condition=condition, **options)
    except PutError as exc:
        if _refused(exc):
            raise ConditionFailed(str(exc)) from exc
        raise


def delete_if(row: Model, condition: Any = None, **options: Any) -> bool:
    """Model.delete if `condition` holds; False if it did not."""
    try:
        row.delete(condition=condition, **options)
    except DeleteError as exc:
        if _refused(exc):
            return False
        raise
    return True


def get_or_none(model: type[M], hash_key: Any, range_key: Any = None, **options: Any) -> M | None:
    """A consistent read of one row, or None."""
    try:
        return model.get(hash_key, range_key, consistent_read=True, **options)
    except model.DoesNotExist:
        return None


def reread(row: M) -> M:
    """Read `row` again, strongly, in place (Model.refresh: DoesNotExist if it is gone); returns it."""
    row.refresh(consistent_read=True)
    return row


def delete_partition(model: type[Model], hash_key: Any) -> int:
    """Delete every row under one hash key (read strongly, deleted in batches); returns how many."""
    rows = list(model.query(hash_key, consistent_read=True))
    with model.batch_write() as batch:
        for row in rows:
            batch.delete(row)
    return len(rows)
