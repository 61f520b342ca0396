"""The change log as a hash chain: editing, deleting or inserting an entry afterwards shows.

Every `ObjectChange` is one link. Its `hash` is

    SHA-256( prev_hash as 64 ASCII hex digits  ||  canonical JSON of the entry, UTF-8 )

where `prev_hash` is the `hash` of the entry before it (`seq` − 1), or 64 zeros for the first,
and the canonical JSON is an object with exactly these keys, sorted, without spaces
(`separators=(",", ":")`, `ensure_ascii=False`):

    seq, id, time (UTC, ISO 8601 to the millisecond), actor_id, actor_name, source, request_id,
    action, kind, content_type ("app_label.model" or ""), object_id, object_repr,
    parent_content_type ("app_label.model" or ""), parent_object_id, changes

A float with an integral value is written as an integer, because PostgreSQL's jsonb reads
`1.0` back as `1`; the time stops at milliseconds because Django's JSON serialisation does, so a
log moved with dumpdata/loaddata (SQLite to PostgreSQL) still verifies. That is all an auditor
needs to recompute the chain from a database dump without this code.

One chain per database. `seq` numbers the entries 1, 2, 3 … without gaps. The head (last seq,
hash and id) sits in the single `ChainHead` row, which every append locks and updates in the
transaction of the change itself: on PostgreSQL with `SELECT … FOR UPDATE`, on SQLite the
IMMEDIATE transactions of the settings already let one writer in at a time. So an append costs
one read and one write of that row beside the entry's own INSERT, and concurrent appends queue
behind each other instead of forking the chain. A transaction that writes a tracked record
holds the head until it commits: keep business transactions short.

The chain alone cannot stop someone with write access to the database from rewriting an entry
and recomputing every hash after it. Exported heads catch that: `export_chain_head` prints a
digest to keep on paper or send by mail, and a daily task stores one in `ChainHeadExport`;
`verify` checks that the chain still passes through each of them.
"""

import dataclasses
import datetime
import functools
import hashlib
import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router, transaction
from django.db.models import Count, Window
from django.utils import timezone

from groundbreak.audit.context import current_actor
from groundbreak.audit.models import ChainHead, ChainHeadExport, ChangeAction, ObjectChange

GENESIS = "0" * 64
HEAD_PK = 1

_STRING_FIELDS = ("actor_name", "source", "request_id", "kind", "object_id", "object_repr", "parent_object_id")


# Hashing ---------------------------------------------------------------------------------------


def _normal(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    return value


def _iso(time: datetime.datetime) -> str:
    return time.astimezone(datetime.UTC).isoformat(timespec="milliseconds")


def canonical(fields: dict, *, floats: bool = True) -> bytes:
    """The canonical JSON of an entry given as plain values (see the module docstring).

    `floats=False` says the changes hold no float, so there is nothing to normalise."""
    content = {
        "seq": fields["seq"],
        "id": fields["id"],
        "time": _iso(fields["time"]),
        "actor_id": fields["actor_id"],
        "actor_name": fields["actor_name"],
        "source": fields["source"],
        "request_id": fields["request_id"],
        "action": fields["action"],
        "kind": fields["kind"],
        "content_type": fields["content_type"] or "",
        "object_id": fields["object_id"],
        "object_repr": fields["object_repr"],
        "parent_content_type": fields["parent_content_type"] or "",
        "parent_object_id": fields["parent_object_id"],
        "changes": _normal(fields["changes"]) if floats else fields["changes"],
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def link_hash(prev_hash: str, fields: dict, *, floats: bool = True) -> str:
    """The hash of an entry whose plain values are `fields`, following `prev_hash`."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields, floats=floats)).hexdigest()


def _label(content_type) -> str:
    return f"{content_type.app_label}.{content_type.model}" if content_type is not None else ""


def _fields_of(entry: ObjectChange) -> dict:
    return {
        "seq": entry.seq,
        "id": entry.id,
        "time": entry.time,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "source": entry.source,
        "request_id": entry.request_id,
        "action": entry.action,
        "kind": entry.kind,
        "content_type": _label(entry.content_type) if entry.content_type_id else "",
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "parent_content_type": _label(entry.parent_content_type) if entry.parent_content_type_id else "",
        "parent_object_id": entry.parent_object_id,
        "changes": entry.changes,
    }


# Appending -------------------------------------------------------------------------------------


def _locked_head(using: str) -> ChainHead:
    head = ChainHead.objects.using(using).select_for_update().filter(pk=HEAD_PK).first()
    if head is not None:
        return head
    # Only after a flush (tests) or if someone removed the row: pick the chain up where the log ends.
    last = ObjectChange.objects.using(using).order_by("-seq").values("seq", "hash").first()
    last_id = max(ObjectChange.objects.using(using).values_list("id", flat=True), default=0)
    ChainHead.objects.using(using).get_or_create(
        pk=HEAD_PK,
        defaults={"seq": last["seq"] if last else 0, "hash": last["hash"] if last else GENESIS, "last_id": last_id},
    )
    return ChainHead.objects.using(using).select_for_update().get(pk=HEAD_PK)


@functools.cache
def _max_lengths() -> list[tuple[str, int]]:
    return [(name, ObjectChange._meta.get_field(name).max_length) for name in _STRING_FIELDS]


def _prepare(entry: ObjectChange) -> bool:
    """Cut and convert the entry to what the database keeps; whether its changes hold a float."""
    for name, max_length in _max_lengths():
        # What is hashed must be what the column keeps.
        setattr(entry, name, (getattr(entry, name) or "")[:max_length])
    # Hash exactly what the database will give back: tuples become lists, keys strings.
    floats = []

    def parse_float(text):
        floats.append(text)
        return float(text)

    text = json.dumps(entry.changes, cls=DjangoJSONEncoder)
    entry.changes = json.loads(text, parse_float=parse_float)
    # The column's JSON, for `_insert`: it reads back as exactly these changes.
    entry._changes_json = text
    return bool(floats)


def append(entry: ObjectChange, *, using: str | None = None) -> ObjectChange:
    """Write `entry` as the next link of the chain, in the caller's transaction if there is one.

    Sets the entry's id, seq, time, prev_hash and hash. `ObjectChange.save()` of a new entry
    comes here, so no code path can write an unchained entry.
    """
    using = using or router.db_for_write(ObjectChange)
    _prepare(entry)
    with transaction.atomic(using=using, savepoint=False):
        head = _locked_head(using)
        entry.id = head.last_id + 1
        entry.seq = head.seq + 1
        entry.time = timezone.now()
        entry.prev_hash = head.hash
        entry.hash = link_hash(entry.prev_hash, _fields_of(entry))
        entry.save(using=using, force_insert=True)
        ChainHead.objects.using(using).filter(pk=HEAD_PK).update(seq=entry.seq, hash=entry.hash, last_id=entry.id)
    return entry


def append_many(entries: list[ObjectChange], *, using: str | None = None, batch_size: int = 500) -> list[ObjectChange]:
    """Write `entries`, in their order, as the next links of the chain, in the caller's transaction.

    The links are the ones `append` would write for each entry in turn (same ids, seqs, hashes,
    each entry timed when it is chained), but the head is locked and updated once and the
    entries go in with one INSERT per batch: for imports that log thousands of changes at once.
    """
    if not entries:
        return entries
    using = using or router.db_for_write(ObjectChange)
    floats = [_prepare(entry) for entry in entries]
    with transaction.atomic(using=using, savepoint=False):
        head = _locked_head(using)
        seq, last_id, prev_hash = head.seq, head.last_id, head.hash
        for entry, has_floats in zip(entries, floats, strict=True):
            seq += 1
            last_id += 1
            entry.id, entry.seq = last_id, seq
            entry.time = timezone.now()
            entry.prev_hash = prev_hash
            entry.hash = prev_hash = link_hash(prev_hash, _fields_of(entry), floats=has_floats)
        # The log's own queryset refuses bulk_create so that nothing else writes unchained entries;
        # these are chained above, under the head's lock.
        _insert(entries, using, batch_size)
        ChainHead.objects.using(using).filter(pk=HEAD_PK).update(seq=seq, hash=prev_hash, last_id=last_id)
    return entries


def _insert(entries: list[ObjectChange], using: str, batch_size: int) -> None:
    """INSERT the chained entries with one prepared statement (executemany, pipelined by psycopg):
    the model's own conversion of each value, without the per-row work of the ORM's bulk_create
    (the ids are set already). Measured faster than multi-row VALUES on both SQLite and PostgreSQL."""
    connection = connections[using]
    fields = ObjectChange._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(ObjectChange._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    changes = ObjectChange._meta.get_field("changes")
    with connection.cursor() as cursor:
        for start in range(0, len(entries), batch_size):
            rows = [
                [
                    # The JSON made by `_prepare` (a text parameter that the jsonb column parses on
                    # PostgreSQL) rather than encoding the changes once more.
                    entry._changes_json if f is changes else f.get_db_prep_save(getattr(entry, f.attname), connection)
                    for f in fields
                ]
                for entry in entries[start : start + batch_size]
            ]
            cursor.executemany(sql, rows)
    for entry in entries:
        entry._state.adding = False
        entry._state.db = using


def append_to_chain(
    kind: str, payload: dict, *, obj=None, parent=None, object_repr: str = "", using: str | None = None
) -> ObjectChange:
    """Record a fact in the change log, chained like every change: "this report was accepted
    with these figures", "this snapshot was frozen with this content".

    `kind` names the fact ("reporting.report_accepted"); `payload` is a JSON object kept in
    `changes` (dates and decimals become strings); `obj` is the record it concerns, whose history
    page then shows it, and `parent` another record whose page shows it too. The entry is
    written in the caller's transaction, attributed to the current actor (see `acting_as`), as
    action "record". Returns the entry.
    """
    if not isinstance(payload, dict):
        raise TypeError("the payload of a chain record is a dict")
    actor = current_actor()
    entry = ObjectChange(
        actor=actor.user,
        actor_name=str(actor.user) if actor.user is not None else "",
        source=actor.source,
        request_id=actor.request_id,
        action=ChangeAction.RECORD,
        kind=kind,
        content_type=ContentType.objects.get_for_model(type(obj)) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=object_repr or (str(obj) if obj is not None else kind),
        parent_content_type=ContentType.objects.get_for_model(type(parent)) if parent is not None else None,
        parent_object_id=str(parent.pk) if parent is not None else "",
        changes=payload,
    )
    return append(entry, using=using)


# Verifying -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Problem:
    """The first place where the chain does not hold, and the entry it concerns."""

    seq: int | None
    reason: str
    object_repr: str = ""
    content_type: str = ""
    object_id: str = ""
    time: datetime.datetime | None = None
    action: str = ""

    def describe(self) -> str:
        """The problem in a few lines for an administrator."""
        lines = [self.reason]
        if self.seq is not None:
            what = self.object_repr or "(no record)"
            where = f"{self.content_type} #{self.object_id}" if self.content_type else "no record type"
            lines.append(f"  entry:  #{self.seq} {self.action} {what} ({where})")
        if self.time is not None:
            lines.append(f"  time:   {timezone.localtime(self.time).isoformat(sep=' ', timespec='seconds')}")
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True)
class Verification:
    """What `verify` found: how many entries, the head it reached, and the first problem if any."""

    count: int
    head_seq: int
    head_hash: str
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


_COLUMNS = (
    "id",
    "seq",
    "time",
    "actor_id",
    "actor_name",
    "source",
    "request_id",
    "action",
    "kind",
    "content_type_id",
    "object_id",
    "object_repr",
    "parent_content_type_id",
    "parent_object_id",
    "changes",
    "prev_hash",
    "hash",
)


def _problem(row: dict, labels: dict, reason: str) -> Problem:
    return Problem(
        seq=row["seq"],
        reason=reason,
        object_repr=row["object_repr"],
        content_type=labels.get(row["content_type_id"], ""),
        object_id=row["object_id"],
        time=row["time"],
        action=row["action"],
    )


def verify(*, using: str | None = None, anchors: list[tuple[int, str]] | None = None) -> Verification:
    """Recompute the whole chain in seq order and report the first broken link.

    Besides each entry's hash and link, checks that the head row and every anchor — the exported
    heads stored in `ChainHeadExport` plus the (seq, hash) pairs given, e.g. from a printed
    digest — lie on the chain, which catches a deleted tail or a recomputed rewrite.
    Reads in chunks: memory stays flat however long the log is. Runs beside a live site: entries
    appended meanwhile are left for the next run, and are not taken for a broken link.
    """
    using = using or router.db_for_read(ObjectChange)
    labels = {ct.pk: _label(ct) for ct in ContentType.objects.using(using).all()}
    expected = {}
    for export in ChainHeadExport.objects.using(using).order_by("seq", "pk"):
        expected.setdefault(export.seq, (export.hash, f"the head exported on {export.date.isoformat()}"))
    for seq, hash_ in anchors or []:
        expected[seq] = (hash_, "the head given")
    prev_hash, next_seq, count, last = GENESIS, 1, 0, None

    def result(problem):
        return Verification(count, last["seq"] if last else 0, last["hash"] if last else GENESIS, problem)

    rows = ObjectChange.objects.using(using).order_by("seq").values(*_COLUMNS)
    for row in rows.iterator(chunk_size=2000):
        count += 1
        if row["seq"] > next_seq:
            missing = row["seq"] - next_seq
            return result(
                _problem(
                    row,
                    labels,
                    f"{missing} entr{'y is' if missing == 1 else 'ies are'} missing before #{row['seq']}: deleted from the log.",
                )
            )
        if row["seq"] < next_seq:
            return result(_problem(row, labels, f"Entry #{row['seq']} is not part of the chain: inserted by hand."))
        if row["prev_hash"] != prev_hash:
            return result(
                _problem(
                    row,
                    labels,
                    f"Entry #{row['seq']} does not link to the entry before it: the log was rewritten here.",
                )
            )
        fields = dict(row)
        fields["content_type"] = (
            labels.get(row["content_type_id"], f"?{row['content_type_id']}") if row["content_type_id"] else ""
        )
        fields["parent_content_type"] = (
            labels.get(row["parent_content_type_id"], f"?{row['parent_content_type_id']}")
            if row["parent_content_type_id"]
            else ""
        )
        if link_hash(prev_hash, fields) != row["hash"]:
            return result(_problem(row, labels, f"Entry #{row['seq']} was changed after it was written."))
        if row["seq"] in expected and expected[row["seq"]][0] != row["hash"]:
            return result(
                _problem(
                    row,
                    labels,
                    f"Entry #{row['seq']} differs from {expected[row['seq']][1]}: the log was rewritten up to here.",
                )
            )
        prev_hash, next_seq, last = row["hash"], row["seq"] + 1, row
    head_seq = last["seq"] if last else 0
    beyond = sorted(seq for seq in expected if seq > head_seq)
    if beyond:
        reason = (
            f"The log ends at #{head_seq} but {expected[beyond[-1]][1]} reached #{beyond[-1]}: "
            "entries at its end were deleted."
        )
        return result(_problem(last, labels, reason) if last else Problem(seq=None, reason=reason))
    # The head is read after the entries: on a live site it may already be further on.
    head = ChainHead.objects.using(using).filter(pk=HEAD_PK).first()
    if head is not None and (head.seq, head.hash) != (head_seq, prev_hash):
        reason = None
        if head.seq > head_seq:
            following = ObjectChange.objects.using(using).filter(seq=head_seq + 1).values("prev_hash").first()
            if following is None or following["prev_hash"] != prev_hash:
                reason = f"The log ends at #{head_seq} but its head says #{head.seq}: entries at its end were deleted."
        elif head.seq < head_seq:
            reason = f"The log goes on after its head #{head.seq}: entries up to #{head_seq} were added by hand."
        else:
            reason = f"The last entry #{head_seq} differs from the head: the log was rewritten."
        if reason:
            return result(_problem(last, labels, reason) if last else Problem(seq=None, reason=reason))
    return result(None)


# Heads -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HeadDigest:
    """The head of the chain at one moment, small enough to print or e-mail."""

    time: datetime.datetime
    seq: int
    hash: str
    count: int

    def text(self, *, database: str = "", verification: Verification | None = None) -> str:
        """The digest as a short plain-text note, the hash also in groups of 8 to read aloud."""
        groups = " ".join(self.hash[i : i + 8] for i in range(0, len(self.hash), 8))
        local = timezone.localtime(self.time)
        lines = [
            "Groundbreak change-history head",
            f"Date:      {local.date().isoformat()}",
            f"Time:      {local.isoformat(sep=' ', timespec='seconds')}",
        ]
        if database:
            lines.append(f"Database:  {database}")
        lines += [
            f"Sequence:  {self.seq}",
            f"Entries:   {self.count}",
            f"Head hash: {self.hash}",
            f"           {groups}",
        ]
        if verification is not None:
            lines.append(
                "Verified:  " + ("yes, the whole chain" if verification.ok else "NO: " + verification.problem.reason)
            )
        lines.append(f"Check later with: groundbreak verify_history --anchor {self.seq}:{self.hash}")
        return "\n".join(lines) + "\n"


def head_seq(*, using: str | None = None) -> int:
    """The sequence number of the last entry (0 before the first): it moves with every tracked
    write, so readers can tell whether anything changed since they last looked (one row read)."""
    return ChainHead.objects.using(using).filter(pk=HEAD_PK).values_list("seq", flat=True).first() or 0


def head_digest(*, using: str | None = None, verification: Verification | None = None) -> HeadDigest:
    """The current head: the last seq and hash, and how many entries the log holds.

    Given an intact `verification`, the head it reached: then the digest is exactly what was verified.
    """
    if verification is not None and verification.ok:
        return HeadDigest(timezone.now(), verification.head_seq, verification.head_hash, verification.count)
    using = using or router.db_for_read(ObjectChange)
    # One statement, so seq and count describe the same state of the log.
    last = (
        ObjectChange.objects.using(using)
        .order_by("-seq")
        .annotate(total=Window(Count("id")))
        .values("seq", "hash", "total")
        .first()
    )
    if last is None:
        return HeadDigest(timezone.now(), 0, GENESIS, 0)
    return HeadDigest(timezone.now(), last["seq"], last["hash"], last["total"])


def store_head(
    digest: HeadDigest, verification: Verification, *, source: str, using: str | None = None
) -> ChainHeadExport:
    """Keep `digest` among the exported heads, with whether the chain verified when it was taken."""
    using = using or router.db_for_write(ChainHeadExport)
    return ChainHeadExport.objects.using(using).create(
        created_at=digest.time,
        date=timezone.localdate(digest.time),
        seq=digest.seq,
        hash=digest.hash,
        count=digest.count,
        verified=verification.ok,
        problem=verification.problem.describe() if verification.problem else "",
        source=source,
    )


def export_head(*, source: str = ChainHeadExport.Source.COMMAND, using: str | None = None) -> ChainHeadExport:
    """Verify the chain and store its current head as a `ChainHeadExport`, the problem noted if any."""
    verification = verify(using=using)
    digest = head_digest(using=using, verification=verification)
    return store_head(digest, verification, source=source, using=using)
