"""Backups that restore: the database and the uploaded files of a running site in one archive.

`create_backup` writes a tar.gz holding a consistent snapshot of the database (SQLite's online
backup API, or pg_dump inside one exported snapshot on PostgreSQL), every file under MEDIA_ROOT
and a manifest with the SHA-256 and size of each. `restore_backup` checks every checksum before
it writes anything, refuses a database that holds data unless forced, and checks the restored
row counts and change-log chain afterwards. `groundbreak backup` and `groundbreak restore` are
the command line (core/management/commands).

Not a Django app: it owns no models, it works on the whole database.
"""

from groundbreak.backup.archive import BackupError, BackupResult, RestoreResult, create_backup, restore_backup

__all__ = ["BackupError", "BackupResult", "RestoreResult", "create_backup", "restore_backup"]
