"""`groundbreak backup` and `groundbreak restore`: a live site's database and uploads in one
archive that restores row for row and file for file, and a damaged one that restores nothing.

Runs the real commands as separate processes against real databases of the tests' vendor: SQLite
files or PostgreSQL databases created and dropped here. The site's data is built with the usual
fixtures in the test's transaction and copied into such a database with dumpdata/loaddata, so no
test here commits to (and then flushes) the shared test database.
"""

import datetime
import gzip
import hashlib
import io
import json
import subprocess
import tarfile
from importlib import metadata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from groundbreak.audit import chain
from groundbreak.audit.context import acting_as
from groundbreak.portfolio import actions
from groundbreak.portfolio.choices import Stage
from groundbreak.schedule import actions as schedule_actions
from tests.backup.scratch import Scratch, media_checksums, migrated_template, vendor
from tests.factories import kind, reason


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    db = migrated_template(tmp_path_factory.mktemp("template"))
    yield db
    db.drop()


@pytest.fixture
def scratch(tmp_path):
    """Empty databases to restore into, dropped after the test."""
    made = []

    def make(name: str, template=None) -> Scratch:
        db = Scratch(tmp_path / name, template=template)
        made.append(db)
        return db

    yield make
    for db in made:
        db.drop()


@pytest.fixture
def site(world, settings, tmp_path, template):
    """A database other processes can use, holding the personas' world with nodes, re-plans, a
    stage change, a recorded fact, an exported head, and uploaded evidence in its MEDIA_ROOT."""
    db = Scratch(tmp_path / "site", template=template)
    settings.MEDIA_ROOT = db.media
    today = timezone.localdate()
    with acting_as(world.sj_coordinator, source="web"):
        project = world.sj_project
        first = schedule_actions.add_milestone(
            project=project, kind=kind("land_handover"), planned_date=today + datetime.timedelta(days=30), by=None
        )
        second = schedule_actions.add_milestone(
            project=project, kind=kind("groundbreaking"), planned_date=today - datetime.timedelta(days=3), by=None
        )
        schedule_actions.replan_milestone(
            milestone=first, new_date=today + datetime.timedelta(days=45), reason=reason(), by=None, note="征收延期"
        )
        schedule_actions.complete_milestone(
            milestone=second,
            actual_date=today - datetime.timedelta(days=1),
            by=None,
            evidence=SimpleUploadedFile("site-photo.png", png(), content_type="image/png"),
        )
        schedule_actions.complete_milestone(
            milestone=first,
            actual_date=today,
            by=None,
            document_number="沪松规土〔2026〕12号",
            evidence=SimpleUploadedFile("land-handover.pdf", b"%PDF-1.4\n% handover\n", content_type="application/pdf"),
        )
        actions.change_stage(project=project, to_stage=Stage.CONSTRUCTION, on=today, by=None)
        chain.append_to_chain("reporting.report_accepted", {"investment": "1250000.00"}, obj=project)
    chain.export_head(source="task")
    # A file from before uploads got random names, to carry a name that is not ASCII.
    legacy = settings.MEDIA_ROOT / "evidence" / "2024" / "现场照片.jpg"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(b"\xff\xd8\xff legacy photo")
    data = tmp_path / "site.json"
    excluded = ["contenttypes", "auth.permission", "sessions"]
    call_command("dumpdata", natural_foreign=True, exclude=excluded, output=str(data), verbosity=0)
    done = db.groundbreak("loaddata", str(data))
    assert done.returncode == 0, done.stderr
    assert len(media_checksums(db.media)) == 3
    yield db
    db.drop()


def backup(db: Scratch, archive) -> str:
    done = db.groundbreak("backup", "-o", str(archive))
    assert done.returncode == 0, done.stderr
    return done.stdout


def restore(db: Scratch, archive, *args) -> subprocess.CompletedProcess:
    return db.groundbreak("restore", str(archive), *args)


def nothing_written(db: Scratch) -> bool:
    no_tables = not db.path.exists() if db.vendor == "sqlite" else db.tables() == []
    leftovers = [p for p in db.folder.parent.rglob(".groundbreak-restore-*")]
    return no_tables and media_checksums(db.media) == {} and leftovers == []


def test_a_backup_restores_every_row_and_every_file(site, scratch, tmp_path):
    archive = tmp_path / "groundbreak.tar.gz"
    printed = backup(site, archive)
    assert f"sha256:      {hashlib.sha256(archive.read_bytes()).hexdigest()}" in printed
    target = scratch("target")
    done = restore(target, archive)
    assert done.returncode == 0, done.stderr
    assert "as in the manifest" in done.stdout and "chain intact" in done.stdout

    expected, restored = site.rows(), target.rows()
    assert set(restored) == set(expected)
    for table, rows in expected.items():
        assert restored[table] == rows, table
    assert len(expected["audit_objectchange"]) > 20
    assert len(expected["schedule_milestone"]) == 2
    assert media_checksums(target.media) == media_checksums(site.media)
    assert target.groundbreak("verify_history").returncode == 0


def test_the_manifest_describes_the_archive_with_a_checksum_for_every_file(site, tmp_path):
    archive = tmp_path / "groundbreak.tar.gz"
    backup(site, archive)
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar if m.isreg()}
    manifest_bytes = members.pop("manifest.json")
    assert members.pop("manifest.json.sha256").decode().split()[0] == hashlib.sha256(manifest_bytes).hexdigest()
    manifest = json.loads(manifest_bytes)

    assert manifest["format"] == "groundbreak-backup"
    assert datetime.datetime.fromisoformat(manifest["created_at"]) <= timezone.now()
    assert manifest["groundbreak_version"] == metadata.version("groundbreak")
    assert manifest["database"]["vendor"] == vendor()
    assert manifest["database"]["file"] in members
    assert "0005_seq_required" in manifest["migrations"]["audit"]
    assert manifest["tables"]["schedule_milestone"] == 2
    head = site.execute("SELECT seq, hash FROM audit_objectchange ORDER BY seq DESC LIMIT 1")[0]
    assert (manifest["change_log"]["seq"], manifest["change_log"]["hash"]) == tuple(head)
    listed = {f["path"]: (f["size"], f["sha256"]) for f in manifest["files"]}
    assert listed == {name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in members.items()}
    media = sorted(name for name in listed if name.startswith("media/"))
    assert len(media) == 3 and "media/evidence/2024/现场照片.jpg" in media


def _rewrite(archive, target, change) -> None:
    """Copy the archive with `change(name, data)` applied to every member."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as out:
        for member in source:
            data = source.extractfile(member).read() if member.isreg() else b""
            data = change(member.name, data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def test_a_corrupted_archive_is_refused_before_anything_is_written(site, scratch, tmp_path):
    archive = tmp_path / "groundbreak.tar.gz"
    backup(site, archive)
    evidence = next(
        name for name in json.loads(_member(archive, "manifest.json"))["files"] if "现场照片" in name["path"]
    )

    def flip_a_byte(name, data):
        return data[:-1] + bytes([data[-1] ^ 0xFF]) if name == evidence["path"] else data

    corrupted = tmp_path / "corrupted.tar.gz"
    _rewrite(archive, corrupted, flip_a_byte)
    target = scratch("target")
    done = restore(target, corrupted)
    assert done.returncode != 0
    assert "corrupted" in done.stderr and evidence["path"] in done.stderr and "Nothing was restored" in done.stderr
    assert nothing_written(target)

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    done = restore(target, truncated)
    assert done.returncode != 0 and "damaged" in done.stderr
    assert nothing_written(target)

    def edit_the_dump(name, data):
        if not name.startswith("database/"):
            return data
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]

    edited = tmp_path / "edited.tar.gz"
    _rewrite(archive, edited, edit_the_dump)
    done = restore(target, edited)
    assert done.returncode != 0 and "database/" in done.stderr
    assert nothing_written(target)

    not_gzip = tmp_path / "notes.tar.gz"
    not_gzip.write_bytes(gzip.compress(b"not a tar file at all"))
    done = restore(target, not_gzip)
    assert done.returncode != 0
    assert nothing_written(target)


def _member(archive, name: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        return tar.extractfile(name).read()


def test_restore_refuses_a_database_that_holds_data_unless_forced(site, scratch, template, tmp_path):
    archive = tmp_path / "groundbreak.tar.gz"
    backup(site, archive)
    target = scratch("target", template=template)
    before = target.rows()
    done = restore(target, archive)
    assert done.returncode != 0
    assert "already holds data" in done.stderr and "--force" in done.stderr
    assert target.rows() == before and media_checksums(target.media) == {}

    done = restore(target, archive, "--force")
    assert done.returncode == 0, done.stderr
    assert target.rows() == site.rows()
    assert media_checksums(target.media) == media_checksums(site.media)


def test_restore_refuses_a_media_folder_that_holds_files_unless_forced(site, scratch, tmp_path):
    archive = tmp_path / "groundbreak.tar.gz"
    backup(site, archive)
    target = scratch("target")
    (target.media / "evidence").mkdir(parents=True)
    (target.media / "evidence" / "other.pdf").write_bytes(b"%PDF other")
    done = restore(target, archive)
    assert done.returncode != 0 and "MEDIA_ROOT" in done.stderr
    assert not target.path.exists() if target.vendor == "sqlite" else target.tables() == []
    done = restore(target, archive, "--force")
    assert done.returncode == 0, done.stderr
    assert "1 files already in MEDIA_ROOT were left in place" in done.stdout
    assert {k: v for k, v in media_checksums(target.media).items() if k != "evidence/other.pdf"} == media_checksums(
        site.media
    )


def test_a_backup_taken_while_the_site_writes_is_one_consistent_state(scratch, template, tmp_path):
    source = scratch("live", template=template)
    source.run_script("populate", "2")
    writer = source.script("writer", "L", "60", "0.02")
    assert writer.stdout.readline().strip() == "STARTED"
    archive = tmp_path / "live.tar.gz"
    backup(source, archive)
    out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    manifest = json.loads(_member(archive, "manifest.json"))

    target = scratch("target")
    done = restore(target, archive)
    assert done.returncode == 0, done.stderr
    assert "chain intact" in done.stdout
    # The restored log ends exactly where the snapshot did, and every project has both its entries.
    head = target.execute("SELECT seq, hash FROM audit_chainhead")[0]
    assert (head[0], head[1]) == (manifest["change_log"]["seq"], manifest["change_log"]["hash"])
    projects = target.execute("SELECT COUNT(*) FROM portfolio_project WHERE code LIKE 'W-L-%'")[0][0]
    changed = target.execute("SELECT COUNT(*) FROM portfolio_project WHERE code LIKE 'W-L-%' AND industry <> ''")[0][0]
    assert projects == changed


def test_the_archive_is_not_written_inside_media_root(scratch, template, tmp_path):
    source = scratch("site", template=template)
    done = source.groundbreak("backup", "-o", str(source.media / "backup.tar.gz"))
    assert done.returncode != 0 and "outside MEDIA_ROOT" in done.stderr
