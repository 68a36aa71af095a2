"""Table definitions read from the pynamodb models (the one source of truth for schemas): the same schema
pynamodb's create_table sends, which the local runtime uses, translated for CloudFormation."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from pynamodb._schema import IndexSchema, KeySchema
from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

# pynamodb binds Meta.table_name when the model module loads, with the stage of that moment: strip it, the
# stack names tables for its own stage.
_STAGE_PREFIX = re.compile(r"^bytebridge-[a-z0-9]+-")


@dataclass(frozen=True)
class Key:
    name: str
    type: str  # "S" | "N" | "B"


@dataclass(frozen=True)
class Index:
    name: str
    partition: Key
    sort: Key | None
    projection: str  # "ALL" | "KEYS_ONLY" | "INCLUDE"
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableDef:
    base: str  # the name without bytebridge-<stage>-
    partition: Key
    sort: Key | None
    global_indexes: tuple[Index, ...]
    local_indexes: tuple[Index, ...]
    ttl_attribute: str | None


def table_base(model: type[Model]) -> str:
    name = model.Meta.table_name
    base = _STAGE_PREFIX.sub("", name)
    if base == name:
        raise ValueError(f"{model.__name__}: table name {name!r} is not bytebridge-<stage>-<base>")
    return base


def _keys(key_schema: Sequence[KeySchema] | Sequence[dict[str, str]], types: dict[str, str]) -> tuple[Key, Key | None]:
    by_type = {k["KeyType"]: Key(k["AttributeName"], types[k["AttributeName"]]) for k in key_schema}
    return by_type["HASH"], by_type.get("RANGE")


def _index(raw: IndexSchema, types: dict[str, str]) -> Index:
    partition, sort = _keys(raw["key_schema"], types)
    projection = raw["projection"]
    # pynamodb types the projection as dict[str, str], but NonKeyAttributes holds the list of attribute names.
    non_key_attributes = cast("list[str]", projection.get("NonKeyAttributes", []))
    return Index(
        name=raw["index_name"],
        partition=partition,
        sort=sort,
        projection=projection["ProjectionType"],
        non_key_attributes=tuple(non_key_attributes),
    )


def table_def(model: type[Model]) -> TableDef:
    schema = model._get_schema()  # what pynamodb's create_table sends: keys, attribute types, indexes
    types = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
    partition, sort = _keys(schema["key_schema"], types)
    ttl = next((a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)), None)
    return TableDef(
        base=table_base(model),
        partition=partition,
        sort=sort,
        global_indexes=tuple(_index(i, types) for i in schema["global_secondary_indexes"]),
        local_indexes=tuple(_index(i, types) for i in schema["local_secondary_indexes"]),
        ttl_attribute=ttl,
    )
