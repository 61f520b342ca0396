"""The change log is a hash chain: an entry edited, deleted or inserted behind the application's
back is found, with the record and time it concerns; exported heads catch a recomputed rewrite."""

import datetime
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groundbreak.audit import chain
from groundbreak.audit.context import acting_as
from groundbreak.audit.models import ChainHead, ChainHeadExport, ChangeAction, ObjectChange
from groundbreak.audit.queries import describe, history_of
from groundbreak.audit.tasks import export_daily_chain_head, next_run, schedule_daily_head_export
from groundbreak.portfolio import actions
from groundbreak.portfolio.choices import Category
from groundbreak.portfolio.models import Project
from tests.backup.scratch import Scratch, migrated_template


def raw(sql: str, params=()) -> None:
    """Write to the database directly, as someone with database access and no application would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def entry(seq: int) -> ObjectChange:
    return ObjectChange.objects.select_related("content_type").get(seq=seq)


def broken(**kwargs) -> chain.Problem:
    result = chain.verify(**kwargs)
    assert not result.ok
    return result.problem


@pytest.fixture
def history(world):
    """The world's own creation plus a few changes by a coordinator: a chain of some length."""
    with acting_as(world.coordinator, source="web", request_id="req-chain"):
        for n in range(3):
            actions.update_project(project=world.sj_project, by=world.coordinator, changes={"industry": f"行业{n}"})
    return world


# The chain as written ---------------------------------------------------------------------------


def test_every_change_is_a_link_numbered_without_gaps(history):
    entries = list(ObjectChange.objects.order_by("seq"))
    assert len(entries) > 10
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == chain.GENESIS
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash
        assert after.id > before.id
    head = ChainHead.objects.get()
    assert (head.seq, head.hash) == (entries[-1].seq, entries[-1].hash)
    result = chain.verify()
    assert result.ok
    assert (result.count, result.head_seq, result.head_hash) == (len(entries), entries[-1].seq, entries[-1].hash)


def test_an_auditor_can_recompute_a_hash_from_the_documented_format(history):
    """Written out here without the application's code, as an auditor would from the docs."""
    e = ObjectChange.objects.filter(action=ChangeAction.UPDATE, actor__isnull=False).order_by("-seq").first()
    content = {
        "seq": e.seq,
        "id": e.id,
        "time": e.time.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:23] + "+00:00",
        "actor_id": history.coordinator.pk,
        "actor_name": "coord",
        "source": "web",
        "request_id": "req-chain",
        "action": "update",
        "kind": "",
        "content_type": "portfolio.project",
        "object_id": str(history.sj_project.pk),
        "object_repr": str(history.sj_project),
        "parent_content_type": "",
        "parent_object_id": "",
        "changes": {"industry": {"before": "行业1", "after": "行业2"}},
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256((e.prev_hash + text).encode("utf-8")).hexdigest() == e.hash


def test_appending_reads_and_writes_the_head_once_and_never_scans_the_log(world):
    with CaptureQueriesContext(connection) as queries:
        project = actions.create_project(
            by=None, code="Q-1", name="计数项目", category=Category.INDUSTRIAL, area=world.songjiang
        )
        actions.update_project(project=project, by=None, changes={"industry": "数字经济"})
    sqls = [q["sql"] for q in queries.captured_queries]
    head_reads = [s for s in sqls if s.startswith("SELECT") and "audit_chainhead" in s]
    head_writes = [s for s in sqls if s.startswith("UPDATE") and "audit_chainhead" in s]
    log_reads = [s for s in sqls if s.startswith("SELECT") and "audit_objectchange" in s]
    assert len(head_reads) == len(head_writes) == 2  # two changes: one read and one write each
    assert log_reads == []
    if connection.vendor == "postgresql":
        assert all("FOR UPDATE" in s for s in head_reads)


def test_deleting_a_login_leaves_its_history_and_the_chain_intact(history):
    user_id = history.coordinator.pk
    history.coordinator.delete()
    entries = ObjectChange.objects.filter(actor_name="coord")
    assert entries.exists()
    assert set(entries.values_list("actor_id", flat=True)) == {user_id}
    assert chain.verify().ok


def test_the_log_refuses_edits_and_bulk_writes_through_the_orm(history):
    e = entry(1)
    e.object_repr = "changed"
    with pytest.raises(TypeError):
        e.save()
    with pytest.raises(TypeError):
        ObjectChange.objects.filter(seq=1).update(object_repr="changed")
    with pytest.raises(TypeError):
        ObjectChange.objects.bulk_create([ObjectChange(action="create", changes={})])
    assert chain.verify().ok


def test_an_entry_created_by_any_code_is_chained(world):
    made = ObjectChange.objects.create(action=ChangeAction.RECORD, kind="test.note", changes={"n": 1})
    assert made.seq == ObjectChange.objects.count()
    assert made.prev_hash == entry(made.seq - 1).hash
    assert chain.verify().ok


# Tampering with raw SQL -------------------------------------------------------------------------


def test_editing_an_entry_in_the_database_is_found_with_its_record_and_time(history):
    target = ObjectChange.objects.filter(action=ChangeAction.UPDATE).order_by("seq").first()
    raw(
        "UPDATE audit_objectchange SET changes = %s WHERE seq = %s",
        [json.dumps({"industry": {"before": "", "after": "伪造"}}), target.seq],
    )
    problem = broken()
    assert problem.seq == target.seq
    assert "changed after it was written" in problem.reason
    assert (problem.object_repr, problem.content_type, problem.object_id) == (
        str(history.sj_project),
        "portfolio.project",
        str(history.sj_project.pk),
    )
    assert problem.time == target.time
    with pytest.raises(CommandError) as error:
        call_command("verify_history")
    message = str(error.value)
    assert f"#{target.seq}" in message and str(history.sj_project) in message and "portfolio.project" in message
    assert timezone.localtime(target.time).strftime("%Y-%m-%d %H:%M:%S") in message


def test_editing_who_made_a_change_is_found(history):
    target = ObjectChange.objects.filter(actor_name="coord").order_by("seq").first()
    raw("UPDATE audit_objectchange SET actor_name = %s, actor_id = NULL WHERE seq = %s", ["admin", target.seq])
    assert broken().seq == target.seq


def test_deleting_an_entry_in_the_database_is_found(history):
    raw("DELETE FROM audit_objectchange WHERE seq = %s", [5])
    problem = broken()
    assert problem.seq == 6
    assert "1 entry is missing before #6" in problem.reason
    assert problem.object_repr == entry(6).object_repr


def test_deleting_the_first_entry_is_found(history):
    raw("DELETE FROM audit_objectchange WHERE seq = 1")
    assert broken().seq == 2


def test_deleting_the_last_entries_is_found_against_the_head(history):
    last = ObjectChange.objects.order_by("-seq").first().seq
    raw("DELETE FROM audit_objectchange WHERE seq >= %s", [last - 1])
    problem = broken()
    assert f"its head says #{last}" in problem.reason
    assert problem.seq == last - 2


def _insert(fields: dict, prev_hash: str, hash_: str) -> None:
    raw(
        "INSERT INTO audit_objectchange (id, seq, time, actor_id, actor_name, source, request_id, action, kind,"
        " content_type_id, object_id, object_repr, parent_content_type_id, parent_object_id, changes, prev_hash, hash)"
        " VALUES (%s, %s, %s, NULL, %s, %s, '', %s, '', %s, %s, %s, NULL, '', %s, %s, %s)",
        [
            fields["id"],
            fields["seq"],
            connection.ops.adapt_datetimefield_value(fields["time"]),
            fields["actor_name"],
            fields["source"],
            fields["action"],
            fields["content_type_id"],
            fields["object_id"],
            fields["object_repr"],
            json.dumps(fields["changes"]),
            prev_hash,
            hash_,
        ],
    )


def _forged(world) -> dict:
    last = ObjectChange.objects.order_by("-seq").first()
    ct = ContentType.objects.get_for_model(Project)
    return {
        "id": last.id + 1,
        "seq": last.seq + 1,
        "time": timezone.now(),
        "actor_id": None,
        "actor_name": "coord",
        "source": "web",
        "request_id": "",
        "action": "update",
        "kind": "",
        "content_type": "portfolio.project",
        "content_type_id": ct.pk,
        "object_id": str(world.mh_project.pk),
        "object_repr": world.mh_project.name,
        "parent_content_type": "",
        "parent_object_id": "",
        "changes": {"stage": {"before": "reserve", "after": "production"}},
        "prev_hash": last.hash,
    }


def test_inserting_an_entry_in_the_database_is_found(history):
    forged = _forged(history)
    _insert(forged, forged["prev_hash"], "f" * 64)
    problem = broken()
    assert problem.seq == forged["seq"]
    assert (problem.object_repr, problem.object_id) == (history.mh_project.name, str(history.mh_project.pk))


def test_inserting_a_correctly_hashed_entry_is_found_against_the_head(history):
    forged = _forged(history)
    _insert(forged, forged["prev_hash"], chain.link_hash(forged["prev_hash"], forged))
    problem = broken()
    assert "added by hand" in problem.reason
    assert problem.seq == forged["seq"]


def _rewrite_from(seq: int, changes: dict) -> None:
    """What someone who knows the format could do: change an entry and recompute every hash after it."""
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    prev = entry(seq - 1).hash if seq > 1 else chain.GENESIS
    for row in ObjectChange.objects.filter(seq__gte=seq).order_by("seq").values():
        if row["seq"] == seq:
            row["changes"] = changes
        row["content_type"] = labels.get(row["content_type_id"], "")
        row["parent_content_type"] = labels.get(row["parent_content_type_id"], "")
        new = chain.link_hash(prev, row)
        raw(
            "UPDATE audit_objectchange SET changes = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [json.dumps(row["changes"]), prev, new, row["seq"]],
        )
        prev = new
    raw("UPDATE audit_chainhead SET hash = %s", [prev])


def test_a_recomputed_rewrite_is_found_against_the_exported_head(history):
    call_command("export_chain_head", "--store", stdout=io.StringIO())
    exported = ChainHeadExport.objects.get()
    _rewrite_from(4, {"name": {"before": None, "after": "伪造"}})
    problem = broken()
    assert f"differs from the head exported on {exported.date.isoformat()}" in problem.reason
    assert problem.seq == exported.seq


def test_a_recomputed_rewrite_is_found_against_a_printed_head(history, tmp_path):
    printed = tmp_path / "head.txt"
    call_command("export_chain_head", "-o", str(printed), stderr=io.StringIO())
    anchor = next(line for line in printed.read_text().splitlines() if "--anchor" in line).split("--anchor ")[1]
    _rewrite_from(3, {"name": {"before": None, "after": "伪造"}})
    assert chain.verify().ok  # nothing in the database itself shows it any more …
    with pytest.raises(CommandError, match="differs from the head given"):
        call_command("verify_history", "--anchor", anchor)  # … but the printed head does


# Recording facts ---------------------------------------------------------------------------------


def test_a_recorded_fact_is_chained_and_shows_in_the_history_of_its_record(history):
    project = history.sj_project
    with acting_as(history.coordinator, source="web"):
        recorded = chain.append_to_chain(
            "reporting.report_accepted",
            {"period": datetime.date(2026, 10, 1), "investment": Decimal("1250000.00"), "workers": 86},
            obj=project,
        )
    recorded.refresh_from_db()
    assert (recorded.action, recorded.kind, recorded.actor, recorded.source) == (
        ChangeAction.RECORD,
        "reporting.report_accepted",
        history.coordinator,
        "web",
    )
    assert recorded.changes == {"period": "2026-10-01", "investment": "1250000.00", "workers": 86}
    assert recorded in history_of(project)
    assert {row["field"]: row["after"] for row in describe(recorded)} == recorded.changes
    assert chain.verify().ok
    raw(
        "UPDATE audit_objectchange SET changes = %s WHERE seq = %s",
        [json.dumps({**recorded.changes, "workers": 860}), recorded.seq],
    )
    assert broken().seq == recorded.seq


def test_a_fact_about_no_record_and_awkward_numbers_still_verifies(world):
    chain.append_to_chain("system.note", {"ratio": 1.0, "big": 1e20, "small": 1.5e-7, "list": (1, 2.5)})
    assert chain.verify().ok


# Exporting the head --------------------------------------------------------------------------------


def test_export_chain_head_prints_a_digest_to_keep(history, tmp_path, capsys):
    call_command("export_chain_head")
    text = capsys.readouterr().out
    last = ObjectChange.objects.order_by("-seq").first()
    assert f"Sequence:  {last.seq}" in text
    assert f"Entries:   {ObjectChange.objects.count()}" in text
    assert f"Head hash: {last.hash}" in text
    assert " ".join(last.hash[i : i + 8] for i in range(0, 64, 8)) in text
    assert f"Date:      {timezone.localdate().isoformat()}" in text
    assert "Verified:  yes" in text
    assert not ChainHeadExport.objects.exists()

    out = tmp_path / "head.txt"
    call_command("export_chain_head", "-o", str(out), "--store", stderr=io.StringIO())
    assert f"Head hash: {last.hash}" in out.read_text()
    stored = ChainHeadExport.objects.get()
    assert (stored.seq, stored.hash, stored.count, stored.verified, stored.source) == (
        last.seq,
        last.hash,
        ObjectChange.objects.count(),
        True,
        "command",
    )


def test_the_daily_task_stores_the_head_once_a_day_and_schedules_the_next_run(history):
    from django_tasks_db.models import DBTaskResult

    seq = export_daily_chain_head.call()
    assert seq == ObjectChange.objects.order_by("-seq").first().seq
    export = ChainHeadExport.objects.get()
    assert (export.source, export.verified, export.date) == ("task", True, timezone.localdate())
    assert export_daily_chain_head.call() is None
    assert ChainHeadExport.objects.count() == 1
    waiting = DBTaskResult.objects.filter(task_path=export_daily_chain_head.module_path, status="READY")
    assert [t.run_after for t in waiting] == [next_run()]
    assert schedule_daily_head_export() is None  # one waiting run is enough
    assert waiting.count() == 1


def test_the_daily_task_notes_a_broken_chain(history):
    raw("UPDATE audit_objectchange SET object_repr = 'x' WHERE seq = 2")
    export_daily_chain_head.call()
    export = ChainHeadExport.objects.get()
    assert not export.verified
    assert "#2" in export.problem


def test_next_run_is_just_after_the_coming_local_midnight():
    evening = timezone.make_aware(datetime.datetime(2026, 11, 25, 23, 59))
    assert timezone.localtime(next_run(evening)) == timezone.make_aware(datetime.datetime(2026, 11, 26, 0, 5))


def test_administrators_see_exported_heads_in_the_admin(history, client):
    chain.export_head(source="task")
    client.force_login(history.admin)
    response = client.get("/admin/audit/chainheadexport/")
    assert response.status_code == 200
    assert ChainHeadExport.objects.get().hash[:16] in response.content.decode()


# Against real databases, from separate processes --------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    db = migrated_template(tmp_path_factory.mktemp("template"))
    yield db
    db.drop()


@pytest.fixture
def scratch(tmp_path, template):
    db = Scratch(tmp_path / "db", template=template)
    yield db
    db.drop()


def test_concurrent_writers_never_fork_the_chain(scratch):
    scratch.run_script("populate", "1")
    writers = [scratch.script("writer", tag, "30", "0.03") for tag in "ABC"]
    for process in writers:
        assert process.stdout.readline().strip() == "STARTED"
    # Verifying beside the writers takes their new entries for neither a gap nor a forgery.
    during = scratch.groundbreak("verify_history")
    assert during.returncode == 0, during.stderr
    for process in writers:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        assert "WROTE 30" in out
    done = scratch.groundbreak("verify_history")
    assert done.returncode == 0, done.stderr
    count = scratch.execute("SELECT COUNT(*), MAX(seq), COUNT(DISTINCT prev_hash) FROM audit_objectchange")[0]
    assert count[0] == count[1] == count[2]
    assert count[0] >= 3 * 30 * 2


def test_verify_history_exits_non_zero_and_names_the_record_when_broken(scratch):
    scratch.run_script("populate", "2")
    assert scratch.groundbreak("verify_history").returncode == 0
    p = scratch.placeholder
    seq, name = scratch.execute(
        "SELECT seq, object_repr FROM audit_objectchange WHERE action = 'update' ORDER BY seq LIMIT 1"
    )[0]
    scratch.execute(f"UPDATE audit_objectchange SET object_repr = {p} WHERE seq = {p}", ("改名", seq))
    done = scratch.groundbreak("verify_history")
    assert done.returncode != 0
    assert f"#{seq}" in done.stderr and "改名" in done.stderr and "portfolio.project" in done.stderr


def test_the_migration_chains_existing_entries_as_the_application_would(scratch):
    scratch.run_script("populate", "3")
    written = scratch.execute("SELECT id, seq, prev_hash, hash FROM audit_objectchange ORDER BY seq")
    assert len(written) > 6
    for args in (("audit", "0002"), ()):
        done = scratch.groundbreak("migrate", *args, "--skip-checks", "-v", "0")
        assert done.returncode == 0, done.stderr
    assert scratch.execute("SELECT id, seq, prev_hash, hash FROM audit_objectchange ORDER BY seq") == written
    assert scratch.execute("SELECT seq, hash FROM audit_chainhead") == [written[-1][1:4:2]]
    assert scratch.groundbreak("verify_history").returncode == 0


def test_the_worker_runs_the_daily_export_and_schedules_the_next(scratch):
    scratch.run_script("populate", "1")
    scratch.run_script("enqueue-head-export")
    done = scratch.groundbreak("db_worker", "--batch", "--no-startup-delay")
    assert done.returncode == 0, done.stderr
    ((seq, verified, source),) = scratch.execute("SELECT seq, verified, source FROM audit_chainheadexport")
    assert (seq, bool(verified), source) == (
        scratch.execute("SELECT MAX(seq) FROM audit_objectchange")[0][0],
        True,
        "task",
    )
    tasks = scratch.execute("SELECT status FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at")
    assert [status for (status,) in tasks] == ["SUCCESSFUL", "READY"]


def test_a_log_moved_with_dumpdata_and_loaddata_still_verifies(history, scratch, tmp_path):
    """The way from SQLite to PostgreSQL: JSON keeps times to the millisecond, and so does the hash."""
    data = tmp_path / "data.json"
    excluded = ["contenttypes", "auth.permission", "sessions"]
    call_command("dumpdata", natural_foreign=True, exclude=excluded, output=str(data), verbosity=0)
    done = scratch.groundbreak("loaddata", str(data))
    assert done.returncode == 0, done.stderr
    done = scratch.groundbreak("verify_history")
    assert done.returncode == 0, done.stderr
    assert f"{ObjectChange.objects.count()} entries" in done.stdout
