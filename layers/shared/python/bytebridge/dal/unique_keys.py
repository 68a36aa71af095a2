"""Uniqueness claims (e-mail addresses, project names per account), written in the same
transaction as the record that owns them so a name can never be taken twice."""

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, table


class UniqueKeyModel(Model):
    class Meta(BaseMeta):
        table_name = table("unique-keys")

    key = UnicodeAttribute(hash_key=True)  # e.g. "email#a@b.c", "project-name#U_…#name"
    owner = UnicodeAttribute()  # the id of the record holding the claim


def email_key(email: str) -> str:
    return f"email#{email.strip().lower()}"


def project_name_key(user_id: str, name: str) -> str:
    return f"project-name#{user_id}#{name}"
