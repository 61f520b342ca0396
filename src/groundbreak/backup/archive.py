"""The backup archive: write it from a live site, check it, restore it into an empty one.

Layout of the tar.gz:

    database/groundbreak.sqlite3 | database/groundbreak.pgdump   the database snapshot
    media/<path>                                                 every file under MEDIA_ROOT
    manifest.json                                                see `_manifest`
    manifest.json.sha256                                         the manifest's own checksum

The database is copied first and the uploaded files after it. Uploads are written before the
row that names them commits and are never rewritten in place, so every file the snapshot refers
to is already there when the files are read; a file uploaded meanwhile is only an extra.
"""

import dataclasses
import datetime
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from importlib import metadata
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from groundbreak.backup.databases import DatabaseError, database_for, table_counts

FORMAT = "groundbreak-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.json.sha256"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do about it."""


@dataclasses.dataclass
class BackupResult:
    path: Path
    size: int
    sha256: str
    manifest: dict


@dataclasses.dataclass
class RestoreResult:
    manifest: dict
    tables: int
    rows: int
    files: int
    chain: object  # groundbreak.audit.chain.Verification, or None without a change log
    media_left_in_place: int


def _version() -> str:
    try:
        return metadata.version("groundbreak")
    except metadata.PackageNotFoundError:
        return "unknown"


class _HashingReader:
    """Reads a file for tarfile and hashes exactly the bytes that go into the archive."""

    def __init__(self, handle):
        self.handle, self.sha256, self.size = handle, hashlib.sha256(), 0

    def read(self, size=-1):
        data = self.handle.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    with open(path, "rb") as handle:
        info = tar.gettarinfo(fileobj=handle, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o644
        reader = _HashingReader(handle)
        try:
            tar.addfile(info, reader)
        except OSError as error:
            raise BackupError(f"{path} changed while it was being archived ({error}); run the backup again.") from error
    return {"path": name, "size": reader.size, "sha256": reader.sha256.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, int(datetime.datetime.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _media_files(media_root: Path, skip: set[Path]):
    """Regular files under MEDIA_ROOT, in a stable order; links are not followed out of it."""
    if not media_root.is_dir():
        return
    for folder, dirs, files in os.walk(media_root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file() or path in skip:
                continue
            yield path, path.relative_to(media_root).as_posix()


def _manifest(snapshot, vendor: str, files: list[dict], media_root: Path, taken_at: datetime.datetime) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": taken_at.isoformat(timespec="seconds"),
        "groundbreak_version": _version(),
        "django_version": django.get_version(),
        "database": {"vendor": vendor, "file": files[0]["path"], "format": snapshot.format, **snapshot.details},
        "migrations": snapshot.migrations,
        "tables": snapshot.tables,
        "change_log": snapshot.change_log,
        "media_root": str(media_root),
        "files": files,
    }


def create_backup(output, *, using: str = "default", media_root=None) -> BackupResult:
    """Write one archive with a consistent snapshot of the database and every uploaded file.

    The site can keep running. The archive is written beside `output` under a temporary name and
    renamed when complete, so an interrupted backup never leaves a file that looks finished.
    """
    output = Path(output).resolve()
    media_root = Path(media_root or settings.MEDIA_ROOT).resolve()
    if output.is_relative_to(media_root):
        raise BackupError(f"Write the backup outside MEDIA_ROOT ({media_root}): it would contain itself.")
    output.parent.mkdir(parents=True, exist_ok=True)
    database = database_for(connections[using])
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix=".groundbreak-backup-", dir=output.parent) as work:
        taken_at = datetime.datetime.now(datetime.UTC)
        try:
            snapshot = database.dump(Path(work))
        except DatabaseError as error:
            raise BackupError(str(error)) from error
        try:
            with tarfile.open(partial, "w:gz", format=tarfile.PAX_FORMAT) as tar:
                files = [_add_file(tar, snapshot.path, f"database/{snapshot.path.name}")]
                for path, relative in _media_files(media_root, {output, partial}):
                    files.append(_add_file(tar, path, f"media/{relative}"))
                manifest = _manifest(snapshot, database.vendor, files, media_root, taken_at)
                data = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")
                _add_bytes(tar, MANIFEST, data)
                _add_bytes(tar, MANIFEST_SUM, f"{hashlib.sha256(data).hexdigest()}  {MANIFEST}\n".encode("ascii"))
            with open(partial, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    digest = hashlib.sha256()
    with open(output, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return BackupResult(output, output.stat().st_size, digest.hexdigest(), manifest)


# Restoring -------------------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in name
        and (name in (MANIFEST, MANIFEST_SUM) or (len(path.parts) >= 2 and path.parts[0] in ("database", "media")))
    )


def _extract_verified(archive: Path, staging: Path) -> dict:
    """Unpack into `staging`, hashing every member, and return the manifest once every file has
    the checksum and size the manifest gives it (and no file is missing or extra)."""
    found: dict[str, tuple[int, str]] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isreg() or not _safe_name(member.name) or member.name in found:
                    raise BackupError(f"{archive} is not a Groundbreak backup: unexpected member {member.name!r}.")
                target = staging / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with tar.extractfile(member) as source, open(target, "wb") as sink:
                    for block in iter(lambda source=source: source.read(CHUNK), b""):
                        digest.update(block)
                        size += len(block)
                        sink.write(block)
                found[member.name] = (size, digest.hexdigest())
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"{archive} is damaged or not a backup ({error}); nothing was restored.") from error
    if MANIFEST not in found or MANIFEST_SUM not in found:
        raise BackupError(f"{archive} has no manifest: it is not a Groundbreak backup; nothing was restored.")
    expected_sum = (staging / MANIFEST_SUM).read_text(encoding="ascii", errors="replace").split()[:1]
    if expected_sum != [found[MANIFEST][1]]:
        raise BackupError(f"The manifest of {archive} does not match its checksum; nothing was restored.")
    manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{archive} is not a Groundbreak backup of a format this version reads.")
    if not str(manifest.get("database", {}).get("file", "")).startswith("database/"):
        raise BackupError(f"The manifest of {archive} names no database file; nothing was restored.")
    listed = {entry["path"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]}
    members = {name: value for name, value in found.items() if name not in (MANIFEST, MANIFEST_SUM)}
    bad = sorted(name for name in listed if members.get(name) != listed[name])
    bad += sorted(name for name in members if name not in listed)
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise BackupError(
            f"{archive} is corrupted: checksum or size wrong, or file missing: {shown}. Nothing was restored."
        )
    return manifest


def _unknown_migrations(manifest: dict) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(
        f"{app}.{name}" for app, names in manifest["migrations"].items() for name in names if (app, name) not in known
    )


def restore_backup(archive, *, using: str = "default", media_root=None, force: bool = False) -> RestoreResult:
    """Restore an archive written by `create_backup` into the configured database and MEDIA_ROOT.

    Every checksum is verified before anything is written. The database must hold no data and
    MEDIA_ROOT no files, unless `force` (then both are replaced, and files not in the archive are
    left where they are). Afterwards the row count of every table is compared with the manifest
    and the change-log chain is verified. Stop the web and worker processes first.
    """
    archive = Path(archive).resolve()
    media_root = Path(media_root or settings.MEDIA_ROOT).resolve()
    connection = connections[using]
    database = database_for(connection)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".groundbreak-restore-", dir=media_root.parent))
    try:
        manifest = _extract_verified(archive, staging)
        vendor = manifest["database"]["vendor"]
        if vendor != database.vendor:
            raise BackupError(
                f"This backup is of a {vendor} database and the configured database is {database.vendor}: "
                f"restore it into {vendor} (set DATABASE_URL accordingly)."
            )
        unknown = _unknown_migrations(manifest)
        if unknown and not force:
            raise BackupError(
                f"This backup comes from a newer Groundbreak ({manifest['groundbreak_version']}): its database has "
                f"migrations this version does not know ({', '.join(unknown[:5])}). Upgrade first, or pass --force."
            )
        # A missing SQLite file is an empty database; opening it to count would create it.
        existing = table_counts(connection) if database.exists() else {}
        holding = {name: rows for name, rows in existing.items() if rows}
        if holding and not force:
            sample = ", ".join(
                f"{name} ({rows} row{'' if rows == 1 else 's'})" for name, rows in sorted(holding.items())[:3]
            )
            raise BackupError(
                f"The target database {connection.settings_dict['NAME']} already holds data in {len(holding)} tables "
                f"(e.g. {sample}). Restore into an empty database — a new PostgreSQL database or a missing SQLite "
                f"file, without running migrate — or pass --force to replace everything in it."
            )
        present = [path for path, _relative in _media_files(media_root, set())]
        if present and not force:
            raise BackupError(
                f"MEDIA_ROOT ({media_root}) already holds {len(present)} files. Restore into an empty folder, "
                f"or pass --force to write the backed-up files over them."
            )

        try:
            database.restore(
                staging / manifest["database"]["file"],
                drop_tables=[name for name in existing if name not in manifest["tables"]],
            )
        except DatabaseError as error:
            raise BackupError(str(error)) from error
        media_files = [entry["path"] for entry in manifest["files"] if entry["path"].startswith("media/")]
        for name in media_files:
            target = media_root / PurePosixPath(name).relative_to("media")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staging / name, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    restored = {media_root / PurePosixPath(name).relative_to("media") for name in media_files}
    return _check_restored(connection, manifest, len(media_files), len(set(present) - restored))


def _check_restored(connection, manifest: dict, files: int, left: int) -> RestoreResult:
    from django.contrib.contenttypes.models import ContentType

    connection.close()
    # Content type ids of the restored database may differ from those cached before.
    ContentType.objects.clear_cache()
    counts = table_counts(connection, list(manifest["tables"]))
    wrong = {name: (counts[name], rows) for name, rows in manifest["tables"].items() if counts[name] != rows}
    if wrong:
        listed = ", ".join(f"{name}: {got} rows, backup had {rows}" for name, (got, rows) in sorted(wrong.items())[:5])
        raise BackupError(f"The restored database does not match the backup: {listed}.")
    chain = None
    # Backups from before the chain existed have nothing to verify yet (`migrate` chains them).
    if "0005_seq_required" in manifest["migrations"].get("audit", []):
        from groundbreak.audit.chain import verify

        chain = verify(using=connection.alias)
    return RestoreResult(
        manifest=manifest,
        tables=len(counts),
        rows=sum(counts.values()),
        files=files,
        chain=chain,
        media_left_in_place=left,
    )
