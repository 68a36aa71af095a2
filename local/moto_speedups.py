"""Speed-ups of the emulated AWS (moto's code, not the platform's), each installed by a SPEED_ONLY patch of
local.patches. Nothing the platform sees changes: the same requests, answers, conditions and table contents; only
moto's costs that grow with the size of its stores (or repeat work per call) go.

- TransactWriteItems: moto deep-copies every table the transaction names, so it can roll back, which makes each
  transaction cost time in proportion to the table's size and a long local run quadratic (the judgments table grows
  with every claim, and every claim is a transaction). moto's own transaction code runs, but snapshots only the
  items the transaction touches and puts exactly those back when it is cancelled (COPY_WITHOUT_TABLES replaces the
  module `copy` of moto.dynamodb.models; item_level_rollback wraps DynamoDBBackend.transact_write_items).
- S3 ListObjectsV2 pages found by bisection (paged_listing).
- DynamoDB Query on the asked partition only (partition_query, IndexPartitions and the write hooks); a filtered
  Query or Scan copies only the items that pass its filter (copies_after_filter, CopyDeferred).
- Response serialization: the names a member is looked up by, and the action handlers of a response class, kept
  (members_picked_once, method_names_kept).
- Step Functions: a definition parsed once, JSONPaths parsed once, AWS clients kept (program_parsed_once,
  parsed_once, ClientsKept).
- SQS: a received message's retention read from its queue (retention_from_the_queue).
"""

import bisect
import copy
import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any

from moto.core.serialize import (
    DEFAULT_ALIAS_PROVIDERS,
    AttributePicker,
    AttributePickerContext,
    XFormedAttributePicker,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.s3.models import FakeDeleteMarker
from moto.sqs import models as sqs_models

_skip = threading.local()


class _CopyWithoutTables:
    """Stands in for the `copy` module inside moto.dynamodb.models: while a snapshot transaction runs, a table
    "deep copy" is the table itself (its touched items are saved separately)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict | None = None) -> Any:
        if getattr(_skip, "tables", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


def _key_of(table: Table, op: dict) -> dict:
    if "Key" in op:
        return op["Key"]
    attributes = (table.hash_key_attr, table.range_key_attr)
    return {name: op["Item"][name] for name in attributes if name is not None and name in op["Item"]}


def _snapshot(backend: DynamoDBBackend, transact_items: list[dict]) -> list[tuple] | None:
    """(table, hash, range, deep copy of the item or None) for every item the transaction names; None when a
    key cannot be read (moto's own validation will answer, with its whole-table backup)."""
    saved = []
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            continue
        try:
            hash_value, range_value = backend.get_keys_value(table, _key_of(table, op))
        except Exception:  # a malformed key: leave it all to moto
            return None
        saved.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
    return saved


def _restore(saved: list[tuple]) -> None:
    for table, hash_value, range_value, item in reversed(saved):
        if range_value is not None:
            if item is None:
                table.items[hash_value].pop(range_value, None)
            else:
                table.items[hash_value][range_value] = item
        elif item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
        _replace_in_partitions(table, hash_value, range_value)


def item_level_rollback(transact_write_items: Callable) -> Callable:
    """Wraps moto's DynamoDBBackend.transact_write_items: its table backups are the tables themselves (see
    _CopyWithoutTables), and a cancelled transaction puts back the items it touched."""

    def transact(self, transact_items):
        saved = _snapshot(self, transact_items)
        if saved is None:
            return transact_write_items(self, transact_items)
        _skip.tables = True
        try:
            return transact_write_items(self, transact_items)
        except Exception:
            _restore(saved)
            raise
        finally:
            _skip.tables = False

    return transact


COPY_WITHOUT_TABLES = _CopyWithoutTables()


# ---- S3 ListObjectsV2 -------------------------------------------------------------------------------------------


def paged_listing(list_objects_v2: Callable) -> Callable:
    """Wraps moto's S3Backend.list_objects_v2: without a delimiter, a page is found by bisecting the sorted key names
    instead of building, filtering and sorting every key object of the bucket twice per page (a bucket import of
    100,000 keys lists 100 pages: ~0.6 s a page in moto, quadratic in the bucket's size). Same keys, order,
    truncation and continuation tokens; with a delimiter (folders) moto's own code runs."""

    def listed(self, bucket, prefix, delimiter, continuation_token, start_after, max_keys):
        if delimiter or max_keys == 0 or type(bucket).__name__ != "FakeBucket":
            return list_objects_v2(self, bucket, prefix, delimiter, continuation_token, start_after, max_keys)
        names = sorted(name for name in bucket.keys if not prefix or name.startswith(prefix))
        after = self._pagination_tokens.get(continuation_token) if continuation_token else start_after
        start = bisect.bisect_right(names, after) if after else 0
        page: list = []
        position = start
        while position < len(names) and len(page) <= max_keys:  # one more than asked: is there a next page?
            key = bucket.keys[names[position]]
            if not isinstance(key, FakeDeleteMarker):
                page.append(key)
            position += 1
        return self._truncate_result(page, max_keys)

    return listed


# ---- DynamoDB Query ---------------------------------------------------------------------------------------------
#
# moto answers every Query by listing and sorting every item of the table (Table.all_items), then keeping those of
# the asked partition: each query costs O(n log n) in the table's size, whatever it returns, and a long local run
# is quadratic (claims query the judgments and items tables, which grow with every item). A query on a table's key
# needs only its partition; a query on an index needs the items with the index's hash key values, which a map kept
# beside the table (IndexPartitions) names. moto's own query code still runs on those candidates: the same
# matching, order, paging, filters and projections.


class IndexPartitions:
    """For one table: each index's partitions (index hash key values → item keys) and each item's place in them.

    Kept up to date by the writes (Table.put_item, Table.delete_item, DynamoDBBackend.update_item, a cancelled
    transaction's rollback). A write that bypasses them (moto's other code paths, a test clearing the table) changes
    the number of items, which is checked on every use: the map is then rebuilt from the table. A candidate set may
    name items that no longer match (moto's query checks each), never miss one that does."""

    def __init__(self, table: Table) -> None:
        self.by_index: dict[str, dict[tuple, set[tuple]]] = {}
        self.places: dict[tuple, list[tuple[str, tuple]]] = {}
        for item in _stored_items(table):
            self.place(table, item.hash_key, item.range_key)

    def place(self, table: Table, hash_value: Any, range_value: Any) -> None:
        key = (hash_value, range_value)
        for index_name, values in self.places.pop(key, ()):
            partition = self.by_index[index_name][values]
            partition.discard(key)
            if not partition:
                del self.by_index[index_name][values]
        item = _stored_item(table, hash_value, range_value)
        if item is None:
            return
        places = []
        for index in table.all_indexes():
            values = tuple(item.attrs.get(name) for name in _hash_names(index))
            if all(value is not None for value in values):
                self.by_index.setdefault(index.name, {}).setdefault(values, set()).add(key)
                places.append((index.name, values))
        self.places[key] = places

    def candidates(self, table: Table, index_name: str, values: tuple) -> list:
        keys = self.by_index.get(index_name, {}).get(values, ())
        found = [_stored_item(table, hash_value, range_value) for hash_value, range_value in sorted(keys, key=_order)]
        return [item for item in found if item is not None]


def _order(key: tuple) -> tuple:
    """Table.all_items' order (moto sorts an index's matches stably, so ties keep it)."""
    hash_value, range_value = key
    return (hash_value, range_value) if range_value is not None else (hash_value,)


def _hash_names(index: Any) -> list[str]:
    return [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]


def _stored_items(table: Table) -> list:
    if table.range_key_attr:
        return [item for partition in table.items.values() for item in partition.values()]
    return list(table.items.values())


def _stored_item(table: Table, hash_value: Any, range_value: Any) -> Any:
    if table.range_key_attr:
        partition = table.items.get(hash_value)
        return partition.get(range_value) if partition and range_value is not None else None
    return table.items.get(hash_value)


def _item_count(table: Table) -> int:
    if table.range_key_attr:
        return sum(map(len, table.items.values()))
    return len(table.items)


_PARTITIONS = "_bytebridge_index_partitions"  # the attribute of a moto Table holding its IndexPartitions


def index_partitions(table: Table) -> IndexPartitions:
    """The table's map, (re)built when missing or when the table's item count shows writes it has not seen."""
    partitions = vars(table).get(_PARTITIONS)
    if partitions is None or len(partitions.places) != _item_count(table):
        partitions = IndexPartitions(table)
        setattr(table, _PARTITIONS, partitions)
    return partitions


def _replace_in_partitions(table: Table, hash_value: Any, range_value: Any) -> None:
    """After a write to one item: its places in the table's map, if the table has one."""
    partitions = vars(table).get(_PARTITIONS)
    if partitions is not None:
        partitions.place(table, hash_value, range_value)


def _query_candidates(table: Table, hash_key: Any, index_name: str | None, hash_conditions: list | None) -> Any:
    """The items a query can match, or None when it cannot be narrowed (moto then lists the whole table)."""
    if not index_name:
        if hash_key is None:
            return None
        partition = table.items.get(hash_key)
        if table.range_key_attr:
            return list(partition.values()) if partition else []
        return [partition] if partition is not None else []
    index = next((index for index in table.all_indexes() if index.name == index_name), None)
    conditions = dict(hash_conditions or ())
    names = _hash_names(index) if index is not None else []
    if not names or any(name not in conditions for name in names):
        return None
    return index_partitions(table).candidates(table, index_name, tuple(conditions[name] for name in names))


def partition_query(query: Callable) -> Callable:
    """Wraps moto's Table.query: its Table.all_items is, for this call, the candidates of _query_candidates."""
    signature = inspect.signature(query)

    @functools.wraps(query)
    def narrowed(self, *args, **kwargs):
        asked = signature.bind(self, *args, **kwargs).arguments
        candidates = _query_candidates(
            self, asked.get("hash_key"), asked.get("index_name"), asked.get("hash_key_conditions")
        )
        if candidates is None:
            return query(self, *args, **kwargs)
        self.all_items = lambda: candidates  # moto's query filters and sorts these (emulated calls are serialized)
        try:
            return query(self, *args, **kwargs)
        finally:
            del self.all_items

    return narrowed


# ---- DynamoDB Query and Scan: a FilterExpression before the copies --------------------------------------------------
#
# moto's Table.query deep-copies every item it read (up to 1 MB: a whole partition, e.g. every item of a project) and
# only then applies the FilterExpression; Table.scan copies each item, then filters. A filtered read of a growing
# partition costs a deep copy of all of it, however few items it returns. On a table's key, without a projection, the
# filter reads the stored items as it would read their copies (it only reads): those that pass are copied after.


class CopyDeferred:
    """Stands in for the `copy` module inside moto.dynamodb.models.table: while a deferred read runs (copies_after_
    filter), a deep copy there is a shallow one (a list's items, an item itself); the read copies its answer after."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict | None = None) -> Any:
        if getattr(_skip, "copies", False):
            return list(value) if isinstance(value, list) else value
        return copy.deepcopy(value, memo)


COPY_DEFERRED = CopyDeferred()


def copies_after_filter(read: Callable) -> Callable:
    """Wraps moto's Table.query or Table.scan: with a FilterExpression, on the table itself (no index) and without
    a projection, the items are copied after the filter. Same items, counts and LastEvaluatedKey."""
    signature = inspect.signature(read)  # through functools.wraps: the original's parameters

    @functools.wraps(read)
    def filtered_first(self, *args, **kwargs):
        asked = signature.bind(self, *args, **kwargs).arguments
        projected = asked.get("projection_expressions") or asked.get("projection_expression")
        if (
            asked.get("filter_expression") is None
            or asked.get("index_name")
            or projected
            or _skip.__dict__.get("copies")
        ):
            return read(self, *args, **kwargs)
        _skip.copies = True
        try:
            items, scanned_count, last_evaluated_key = read(self, *args, **kwargs)
        finally:
            _skip.copies = False
        return copy.deepcopy(items), scanned_count, last_evaluated_key

    return filtered_first


def query_narrowed_and_filtered_first(query: Callable) -> Callable:
    """Table.query with both speed-ups: the asked partition only (partition_query), copies after the filter."""
    return copies_after_filter(partition_query(query))


def placed_after_put(put_item: Callable) -> Callable:
    """Wraps moto's Table.put_item: the new item's places in the table's index map."""

    def put(self, item_attrs, *args, **kwargs):
        item = put_item(self, item_attrs, *args, **kwargs)
        _replace_in_partitions(self, item.hash_key, item.range_key)
        return item

    return put


def placed_after_delete(delete_item: Callable) -> Callable:
    """Wraps moto's Table.delete_item: the item leaves the table's index map."""

    def delete(self, hash_key, range_key):
        try:
            return delete_item(self, hash_key, range_key)
        finally:
            _replace_in_partitions(self, hash_key, range_key)

    return delete


def placed_after_update(update_item: Callable) -> Callable:
    """Wraps moto's DynamoDBBackend.update_item, which changes the stored item in place: its places in the map."""

    def update(self, table_name, key, *args, **kwargs):
        try:
            return update_item(self, table_name, key, *args, **kwargs)
        finally:
            table = self.tables.get(table_name)
            if table is not None and vars(table).get(_PARTITIONS) is not None:
                try:
                    hash_value, range_value = self.get_keys_value(table, key)
                except Exception:  # a malformed key: nothing was written
                    pass
                else:
                    _replace_in_partitions(table, hash_value, range_value)

    return update


# ---- Step Functions: parsed JSONPaths and AWS clients, kept -------------------------------------------------------


def parsed_once(parse: Callable) -> Callable:
    """Wraps jsonpath_ng's parse as moto's Step Functions interpreter uses it (extract_json, for every path of every
    state it runs): each call builds a new parser, reading its grammar tables (a few ms). A parsed path is immutable
    (find() reads the data), so the parse of each distinct path string is kept."""
    return functools.lru_cache(maxsize=4096)(parse)


class ClientsKept:
    """Stands in for the `boto3` module inside moto's Step Functions interpreter (boto_client_for), which makes a
    new AWS client for every Task state it runs (tens of ms each: a Lambda invoke, an SQS send): a client is kept
    per region, service and endpoint, and shared (botocore clients are thread-safe)."""

    def __init__(self, boto3_module: Any) -> None:
        self._boto3 = boto3_module
        self._clients: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._boto3, name)

    def client(self, **kwargs: Any) -> Any:
        kept = tuple(sorted((name, value) for name, value in kwargs.items() if name != "config"))
        with self._lock:
            if kept not in self._clients:
                self._clients[kept] = self._boto3.client(**kwargs)
            return self._clients[kept]


def program_parsed_once(entrypoint: Callable) -> Callable:
    """Wraps moto's ExecutionWorker._get_evaluation_entrypoint, which parses the state machine's definition (ANTLR,
    tens of ms) for every execution: one parse per definition. The parsed program is shared by executions: its
    components are set up when parsed and keep each execution's state in the execution's Environment."""
    programs: dict[str, Any] = {}
    lock = threading.Lock()

    def entry(self):
        definition = self._evaluation_details.state_machine_details.definition
        with lock:
            program = programs.get(definition)
        if program is None:
            program = entrypoint(self)
            with lock:
                if len(programs) >= _PROGRAMS_KEPT:
                    programs.clear()
                program = programs.setdefault(definition, program)
        return program

    return entry


_PROGRAMS_KEPT = 256


# ---- SQS: a received message's retention, read from its queue ----------------------------------------------------


def retention_from_the_queue(self: Any, queue_name: str, message: Any) -> bool:
    """Replaces moto's SQSBackend.is_message_valid_based_on_retention_period, run for every message ReceiveMessage
    hands out: moto reads the queue's MessageRetentionPeriod through get_queue_attributes, which builds every
    attribute of the queue three times over, each ApproximateNumberOfMessages* one a pass over all its messages
    (in flight included): receiving cost O(n) in the queue's size. The same test, on the queue's own attribute (and
    on moto.sqs.models.unix_time, which the test clock replaces)."""
    retention_period = self.get_queue(queue_name).message_retention_period
    return bool(retention_period + message.sent_timestamp / 1000 > sqs_models.unix_time())


# ---- Response serialization and dispatch: per-call lookups, kept --------------------------------------------------


def members_picked_once(get_value: Callable) -> Callable:
    """Wraps moto's ResponseSerializer.get_value, which its response serializer runs for every member of every
    structure it writes (each of the ~10 members of each DynamoDB AttributeValue of each item): a context object,
    six alias providers built and asked, a lookup per name they give. For a plain dict (DynamoDB's results, most JSON
    services') with moto's own pickers and alias providers, the names asked depend only on the member's key, its
    shape and its parent structure (a dict has no Meta and one class name): they are kept per (picker, key, shape,
    parent), checked by identity, and looked up in the dict in the same order. Same value; anything else (another
    object, response transformers, a dotted name): moto's code."""
    kept: dict[tuple, tuple] = {}

    def picked(self, value, key, shape):
        picker = self._value_picker
        if (
            type(value) is not dict
            or shape is None
            or type(picker) not in _PICKERS
            or picker.response_transformers
            or picker.alias_providers != DEFAULT_ALIAS_PROVIDERS
        ):
            return get_value(self, value, key, shape)
        parent = getattr(shape, "parent", None)
        memo = (type(picker), key, id(shape), id(parent))
        found = kept.get(memo)
        if found is None or found[0] is not shape or found[1] is not parent:
            names = tuple(picker.get_possible_keys(AttributePickerContext(obj=value, key=key, shape=shape)))
            if any("." in name for name in names):  # a path into nested objects: moto's get_value walks it
                return get_value(self, value, key, shape)
            if len(kept) >= _KEYS_KEPT:
                kept.clear()
            found = kept[memo] = (shape, parent, names)
        for name in found[2]:
            if name in value:
                return value[name]
        return None

    return picked


_PICKERS = (AttributePicker, XFormedAttributePicker)
_KEYS_KEPT = 65536


def method_names_kept(method_names_from_class: Callable) -> Callable:
    """Wraps moto.core.responses' method_names_from_class, which lists a response class's functions with
    inspect.getmembers (sorting every attribute of the class and its bases) on every API call, to find the action's
    handler: listed once per class (moto's response classes get no new methods while it runs)."""
    return functools.lru_cache(maxsize=1024)(method_names_from_class)


def visible_now(queue: Any) -> list:
    """Replaces moto's Queue.messages (a property), which ReceiveMessage reads on every poll (a claim's long poll every
    50 ms): moto asks each message whether it is visible and not delayed, each answer reading the clock through two
    datetime constructions, so a poll costs O(n) clock reads in the queue's size (in-flight messages included). The
    same test against one reading of the clock per poll (sqs_models.unix_time_millis, which the test clock replaces)."""
    now = sqs_models.unix_time_millis()
    return [message for message in queue._messages if now > message.visible_at and not now < message.delayed_until]


VISIBLE_NOW = property(visible_now)
