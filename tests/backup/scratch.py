"""Real databases beside pytest-django's, for commands that run as separate processes.

A backup, a restore or a process killed mid-write only proves something against a database that
outlives the process: a SQLite file in a temporary folder, or a PostgreSQL database created for
the test and dropped after it. Which one follows the database the tests run on (DATABASE_URL).
Nothing here commits to the test database itself, so the tests around keep their data.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def vendor() -> str:
    return connection.vendor


def _pg_params(dbname: str) -> dict:
    s = connection.settings_dict
    params = {"dbname": dbname, "user": s.get("USER"), "password": s.get("PASSWORD"), "host": s.get("HOST")}
    params["port"] = str(s["PORT"]) if s.get("PORT") else None
    return {k: v for k, v in params.items() if v}


def _pg_url(dbname: str) -> str:
    p = _pg_params(dbname)
    auth = p.get("user", "") + (f":{p['password']}" if p.get("password") else "")
    return f"postgres://{auth}@{p.get('host', '127.0.0.1')}:{p.get('port', '5432')}/{dbname}"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(**_pg_params("postgres"), autocommit=True) as admin:
        admin.execute(sql)


def media_checksums(root: Path) -> dict[str, str]:
    """sha256 of every file under `root`, by path relative to it."""
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


class Scratch:
    """One database and MEDIA_ROOT that `groundbreak` subprocesses use, of the tests' vendor.

    `template` is a database to copy: one migrated once instead of migrating each.
    """

    def __init__(self, folder: Path, *, template: "Scratch | None" = None):
        self.vendor = vendor()
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.media = folder / "media"
        if self.vendor == "sqlite":
            self.path = folder / "groundbreak.sqlite3"
            if template is not None:
                shutil.copyfile(template.path, self.path)
        else:
            self.name = f"gb_scratch_{uuid.uuid4().hex[:12]}"
            copy = f' TEMPLATE "{template.name}"' if template is not None else ""
            _pg_admin(f'CREATE DATABASE "{self.name}"{copy}')

    @property
    def placeholder(self) -> str:
        """The parameter marker of raw SQL for this database's driver."""
        return "?" if self.vendor == "sqlite" else "%s"

    @property
    def label(self) -> str:
        return str(self.path) if self.vendor == "sqlite" else self.name

    @property
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MEDIA_ROOT", "GROUNDBREAK_DATA_DIR")}
        env.update(
            DJANGO_SETTINGS_MODULE="groundbreak.settings",
            GROUNDBREAK_DATA_DIR=str(self.folder),
            MEDIA_ROOT=str(self.media),
            PYTHONUNBUFFERED="1",
        )
        if self.vendor == "postgresql":
            env["DATABASE_URL"] = _pg_url(self.name)
        return env

    def groundbreak(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        """Run `groundbreak ARGS` against this database; returns the finished process."""
        return subprocess.run(
            [sys.executable, "-m", "groundbreak.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def migrate(self) -> None:
        done = self.groundbreak("migrate", "--skip-checks", "-v", "0")
        assert done.returncode == 0, done.stderr

    def script(self, *args: str, **popen) -> subprocess.Popen:
        """Start `tests/backup/scripts.py ARGS` against this database."""
        return subprocess.Popen(
            [sys.executable, "-m", "tests.backup.scripts", *args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **popen,
        )

    def run_script(self, *args: str, timeout: float = 180) -> str:
        process = self.script(*args)
        out, err = process.communicate(timeout=timeout)
        assert process.returncode == 0, err
        return out

    def _connect(self):
        if self.vendor == "sqlite":
            return sqlite3.connect(self.path, timeout=20)
        import psycopg

        return psycopg.connect(**_pg_params(self.name), autocommit=True)

    def execute(self, sql: str, params=()) -> list:
        """Run raw SQL on the database, as someone with direct access to it would."""
        db = self._connect()
        try:
            # Without parameters the driver must not look for markers in the SQL (LIKE 'W-%').
            cursor = db.execute(sql, params) if params else db.execute(sql)
            rows = cursor.fetchall() if cursor.description else []
            db.commit()
            return rows
        finally:
            db.close()

    def tables(self) -> list[str]:
        if self.vendor == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        else:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        return [row[0] for row in self.execute(sql)]

    def rows(self) -> dict[str, list]:
        """Every row of every table, in a stable order: two databases with equal data compare equal."""
        db = self._connect()
        try:
            return {
                table: sorted((tuple(row) for row in db.execute(f'SELECT * FROM "{table}"').fetchall()), key=repr)
                for table in self.tables()
            }
        finally:
            db.close()

    def drop(self) -> None:
        if self.vendor == "postgresql":
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def migrated_template(folder: Path):
    """A migrated empty database to copy for each test: one `migrate` per module, not per test."""
    template = Scratch(folder)
    template.migrate()
    return template
