"""The balance ledger's rows (bytebridge.billing.ledger decides what a posting holds; this module stores it).

One table, partitioned by client account, three kinds of row:
  "balance"         the running balance of every named account ({account: cents}, zeros dropped) and `seq`,
                    the number of postings so far: every posting is conditional on the seq it read.
  "p#<12-digit seq>" one posting: its entries ([[account, cents], …], summing to zero), kind, business key.
  "k#<business key>" the idempotency row: which posting a business key wrote (written once, never changed).
A posting is one transaction of its three rows: a retried posting finds its key row and writes nothing; two
racing postings cannot both hold the same seq.
"""

from dataclasses import dataclass

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from bytebridge.dal.base import BaseMeta, IntAttribute, TimestampMs, get_or_none, table, transact
from bytebridge.dal.errors import ConditionFailed

BALANCE = "balance"
_POSTING = "p#"
_KEY = "k#"
# A posting that lost a race re-reads the balance and tries again; more than this many losses in a row is a
# hot account under a storm of writes: the caller sees ConditionFailed and its own retry (SQS, Step Functions)
# comes back later.
RACE_RETRIES = 25


class LedgerModel(Model):
    class Meta(BaseMeta):
        table_name = table("ledger")

    user_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # "balance" | "p#<seq>" | "k#<business key>"
    seq = IntAttribute(null=True)  # balance: postings so far; posting: its number; key: the posting it wrote
    accounts = JSONAttribute(null=True)  # balance: {account: cents}, non-zero only
    entries = JSONAttribute(null=True)  # posting: [[account, cents], …]
    kind = UnicodeAttribute(null=True)  # posting: topUp | bonus | reserve | release | usage | refund | dispute
    key = UnicodeAttribute(null=True)  # posting: its business key
    project_id = UnicodeAttribute(null=True)  # posting: the project it concerns, if any
    ref = UnicodeAttribute(null=True)  # posting: payment / item#round / refund / dispute id, or a bonus reason
    created_at = TimestampMs(null=True)


def posting_sk(seq: int) -> str:
    return f"{_POSTING}{seq:012d}"


@dataclass(frozen=True)
class BalanceRow:
    seq: int
    accounts: dict[str, int]


def read_balance(user_id: str) -> BalanceRow:
    """The account's balance row (consistent read); seq 0 and no accounts before its first posting."""
    row = get_or_none(LedgerModel, user_id, BALANCE)
    if row is None:
        return BalanceRow(0, {})
    return BalanceRow(row.seq or 0, dict(row.accounts or {}))


def posting_for_key(user_id: str, key: str) -> LedgerModel | None:
    """The posting a business key wrote, or None if it was never posted (consistent reads)."""
    claim = get_or_none(LedgerModel, user_id, _KEY + key, attributes_to_get=["seq"])
    if claim is None or claim.seq is None:
        return None
    return get_or_none(LedgerModel, user_id, posting_sk(claim.seq))


@dataclass
class PostingWrite:
    """Everything one posting writes, built against the balance row it read (`seq_before`)."""

    user_id: str
    seq_before: int
    accounts_after: dict[str, int]
    posting: LedgerModel

    def write_in(self, tx: TransactWrite) -> None:
        """Add this posting's rows to `tx`: refused if the key was posted or the balance moved since it was read."""
        L = LedgerModel
        seq = self.seq_before + 1
        tx.save(self.posting, condition=L.sk.does_not_exist())
        tx.save(L(self.user_id, _KEY + (self.posting.key or ""), seq=seq), condition=L.sk.does_not_exist())
        unchanged = L.seq.does_not_exist() if self.seq_before == 0 else L.seq == self.seq_before
        accounts = {name: cents for name, cents in self.accounts_after.items() if cents}
        tx.update(L(self.user_id, BALANCE), actions=[L.seq.set(seq), L.accounts.set(accounts)], condition=unchanged)


def new_posting(
    user_id: str,
    seq_before: int,
    *,
    kind: str,
    key: str,
    entries: list[tuple[str, int]],
    project_id: str | None,
    ref: str | None,
    now: int,
) -> LedgerModel:
    return LedgerModel(
        user_id,
        posting_sk(seq_before + 1),
        seq=seq_before + 1,
        entries=[[account, cents] for account, cents in entries],
        kind=kind,
        key=key,
        project_id=project_id,
        ref=ref,
        created_at=now,
    )


def lost_race(exc: BaseException) -> bool:
    """True if a transaction was refused because something it conditioned on changed (a condition, or another
    transaction on the same rows at the same moment): the caller may re-read and try again."""
    if isinstance(exc, ConditionFailed):
        return True
    if isinstance(exc, TransactWriteError):
        return any(r is not None and r.code == "TransactionConflict" for r in exc.cancellation_reasons)
    return False


def commit(write: PostingWrite) -> bool:
    """Write one posting in its own transaction; False if it lost a race (re-read and build it again)."""
    try:
        with transact() as tx:
            write.write_in(tx)
    except (ConditionFailed, TransactWriteError) as exc:
        if lost_race(exc):
            return False
        raise
    return True


def page_postings(user_id: str, *, before_seq: int | None, limit: int) -> list[LedgerModel]:
    """Up to `limit` postings, newest first, older than `before_seq` when given (consistent read)."""
    high = posting_sk(before_seq - 1) if before_seq is not None else _POSTING + "~"
    condition = LedgerModel.sk.between(posting_sk(0), high)
    return list(LedgerModel.query(user_id, condition, scan_index_forward=False, limit=limit, consistent_read=True))


def all_postings(user_id: str) -> list[LedgerModel]:
    """Every posting of the account, oldest first (consistent read; audits and tests)."""
    return list(LedgerModel.query(user_id, LedgerModel.sk.startswith(_POSTING), consistent_read=True))
