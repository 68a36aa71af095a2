"""Worker pseudonyms: stable within a project (a client can see that two judgments came from one annotator),
unlinkable across projects and irreversible without the project's salt, which never leaves the table."""

import hashlib
import secrets

from bytebridge.dal.delivery import claim_salt, get_delivery


def project_salt(user_id: str, project_id: str) -> str:
    """The project's salt, created on first use; a concurrent first use keeps whichever was written first."""
    row = get_delivery(project_id)
    if row is not None and row.pseudonym_salt:
        return row.pseudonym_salt
    claim_salt(project_id, user_id, secrets.token_hex(16))  # refused: a concurrent first use won
    row = get_delivery(project_id)
    assert row is not None  # claim_salt's write (or the concurrent one that won) created it
    return row.pseudonym_salt


def pseudonym(salt: str, worker_id: str) -> str:
    return "w_" + hashlib.sha256(f"{salt}:{worker_id}".encode()).hexdigest()[:20]
