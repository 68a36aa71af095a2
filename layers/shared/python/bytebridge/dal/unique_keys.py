"""Uniqueness claims (e-mail addresses, project names per account), written in the same
transaction as the record that owns them so a name can never be taken twice."""

import hashlib

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from bytebridge.dal.base import BaseMeta, delete_if, get_or_none, table


class UniqueKeyModel(Model):
    class Meta(BaseMeta):
        table_name = table("unique-keys")

    key = UnicodeAttribute(hash_key=True)  # e.g. "email#a@b.c", "project-name#U_…#name"
    owner = UnicodeAttribute()  # the id of the record holding the claim


def email_key(email: str) -> str:
    return f"email#{email.strip().lower()}"


def project_name_key(user_id: str, name: str) -> str:
    return f"project-name#{user_id}#{name}"


def item_link_key(project_id: str, url: str) -> str:
    """The claim of a link in a project (one item per link): hashed, since a link may be longer than a key."""
    return f"item-link#{project_id}#{hashlib.sha256(url.encode()).hexdigest()}"


def release(key: str, owner: str) -> bool:
    """Drop the claim `key` if `owner` holds it; False if it is someone else's or gone."""
    return delete_if(UniqueKeyModel(key), UniqueKeyModel.owner == owner)


def owner_of(key: str) -> str | None:
    """Who holds the claim `key` (consistent read), or None if no one does."""
    claim = get_or_none(UniqueKeyModel, key)
    return None if claim is None else claim.owner


def claim_in(tx: TransactWrite, key: str, owner: str) -> None:
    """Inside `tx`: take the claim `key` for `owner`; the transaction is refused if anyone holds it."""
    tx.save(UniqueKeyModel(key, owner=owner), condition=UniqueKeyModel.key.does_not_exist())


def release_in(tx: TransactWrite, key: str, owner: str) -> None:
    """Inside `tx`: drop the claim `key` if `owner` holds it or it is gone (refused if someone else holds it)."""
    tx.delete(UniqueKeyModel(key), condition=(UniqueKeyModel.owner == owner) | UniqueKeyModel.key.does_not_exist())
