"""How each database takes a consistent snapshot of itself, and takes one back.

SQLite copies itself through the online backup API: one step under a read lock, so the copy is
one committed state while the web and the worker keep writing (WAL lets them). PostgreSQL opens
a repeatable-read transaction, exports its snapshot and runs pg_dump inside it, so the row
counts, migrations and change-log head written to the manifest describe exactly the dumped data.
"""

import dataclasses
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path


class DatabaseError(Exception):
    """A dump or restore tool failed; the message carries what it said."""


@dataclasses.dataclass
class Snapshot:
    """A database dump on disk and what the manifest says about it."""

    path: Path
    format: str
    tables: dict[str, int]
    migrations: dict[str, list[str]]
    change_log: dict | None
    details: dict


def _describe(cursor, tables: list[str], quote) -> tuple[dict, dict, dict | None]:
    """Row counts, applied migrations and change-log head, read through `cursor` in one snapshot."""
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    change_log = None
    if "audit_objectchange" in counts:
        cursor.execute("SELECT seq, hash FROM audit_objectchange ORDER BY seq DESC LIMIT 1")
        last = cursor.fetchone()
        change_log = {
            "entries": counts["audit_objectchange"],
            "seq": last[0] if last else 0,
            "hash": last[1] if last else "",
        }
    return counts, migrations, change_log


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_counts(connection, tables=None) -> dict[str, int]:
    """Rows per table of the database behind a Django connection (all its tables by default)."""
    with connection.cursor() as cursor:
        names = tables if tables is not None else connection.introspection.table_names(cursor)
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
    return counts


class SQLiteDatabase:
    vendor = "sqlite"
    file_name = "groundbreak.sqlite3"

    def __init__(self, connection):
        self.connection = connection

    @property
    def path(self) -> str:
        return str(self.connection.settings_dict["NAME"])

    def exists(self) -> bool:
        return Path(self.path).exists()

    def dump(self, work: Path) -> Snapshot:
        path = work / self.file_name
        self.connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            # pages=-1 (the default) copies in one step under one read lock: one committed state.
            self.connection.connection.backup(target)
            # The copy stands alone: no -wal file beside it in the archive.
            target.execute("PRAGMA journal_mode=DELETE")
            self._check_integrity(target, "the copy")
            cursor = target.cursor()
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            tables = [row[0] for row in cursor.fetchall()]
            counts, migrations, change_log = _describe(cursor, tables, _quote)
        finally:
            target.close()
        details = {"sqlite_version": sqlite3.sqlite_version, "method": "sqlite3 online backup API"}
        return Snapshot(path, "sqlite3", counts, migrations, change_log, details)

    def restore(self, dump: Path, *, drop_tables: list[str]) -> None:
        # The backup API replaces the whole content of the target, existing tables included.
        self.connection.close()
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(dump)
        target = sqlite3.connect(self.path, timeout=20)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
            self._check_integrity(target, "the restored database")
        except sqlite3.Error as error:
            raise DatabaseError(f"SQLite could not write {self.path}: {error} (is the site still running?)") from error
        finally:
            source.close()
            target.close()

    @staticmethod
    def _check_integrity(db, what: str) -> None:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise DatabaseError(f"SQLite integrity check of {what} failed: {result}")


class PostgreSQLDatabase:
    vendor = "postgresql"
    file_name = "groundbreak.pgdump"

    _SSL_OPTIONS = {
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
        "passfile": "PGPASSFILE",
        "service": "PGSERVICE",
    }

    def __init__(self, connection):
        self.connection = connection

    def exists(self) -> bool:
        return True

    def _params(self) -> dict:
        s = self.connection.settings_dict
        params = {"dbname": s["NAME"], "user": s.get("USER"), "password": s.get("PASSWORD")}
        params.update({"host": s.get("HOST"), "port": str(s["PORT"]) if s.get("PORT") else None})
        params.update({k: v for k, v in (s.get("OPTIONS") or {}).items() if k in self._SSL_OPTIONS})
        return {k: v for k, v in params.items() if v}

    def _env(self) -> dict:
        """The connection as libpq's environment: the password never shows in a process list."""
        names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}
        names.update(self._SSL_OPTIONS)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update({names[k]: str(v) for k, v in self._params().items()})
        return env

    @staticmethod
    def _tool(name: str) -> str:
        path = shutil.which(name)
        if path is None:
            raise DatabaseError(
                f"{name} was not found: install the PostgreSQL client tools of the server's version "
                f"(Debian: apt-get install postgresql-client)."
            )
        return path

    def _run(self, args: list[str]) -> str:
        done = subprocess.run(args, env=self._env(), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise DatabaseError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    def dump(self, work: Path) -> Snapshot:
        import psycopg

        path = work / self.file_name
        pg_dump = self._tool("pg_dump")
        with psycopg.connect(**self._params()) as raw:
            raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            raw.read_only = True
            with raw.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
                snapshot, server_version = cursor.fetchone()
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
                tables = [row[0] for row in cursor.fetchall()]
                counts, migrations, change_log = _describe(cursor, tables, _quote)
                # The exporting transaction stays open until pg_dump has taken its snapshot and finished.
                self._run(
                    [
                        pg_dump,
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={path}",
                    ]
                )
            raw.rollback()
        details = {
            "server_version": server_version,
            "method": self._run([pg_dump, "--version"]).strip() + ", custom format",
        }
        return Snapshot(path, "pg_dump custom", counts, migrations, change_log, details)

    def restore(self, dump: Path, *, drop_tables: list[str]) -> None:
        pg_restore = self._tool("pg_restore")
        if drop_tables:
            # Tables the dump does not recreate (a newer schema's) would otherwise survive the restore.
            with self.connection.cursor() as cursor:
                for table in drop_tables:
                    cursor.execute(f"DROP TABLE IF EXISTS {self.connection.ops.quote_name(table)} CASCADE")
        self.connection.close()
        # --clean drops what the dump recreates in the same single transaction: all or nothing.
        self._run(
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={self.connection.settings_dict['NAME']}",
                str(dump),
            ]
        )


def database_for(connection):
    """The snapshot and restore strategy for a Django connection's vendor."""
    if connection.vendor == "sqlite":
        return SQLiteDatabase(connection)
    if connection.vendor == "postgresql":
        return PostgreSQLDatabase(connection)
    raise DatabaseError(f"Backups of {connection.vendor} databases are not supported: use SQLite or PostgreSQL.")
