from django.core.management.base import BaseCommand, CommandError

from groundbreak.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write one archive (tar.gz) with a consistent snapshot of the database and every uploaded file, "
        "plus a manifest with their checksums. The site can keep running."
    )
    # A backup must work whatever state the rest of the project is in.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", required=True, help="the archive to write, e.g. groundbreak-2026-11-25.tar.gz"
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, output, database, **options):
        try:
            result = create_backup(output, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        media = [f for f in manifest["files"] if f["path"].startswith("media/")]
        chain = manifest.get("change_log") or {}
        self.stdout.write(
            f"Backup written to {result.path}\n"
            f"  size:        {result.size} bytes\n"
            f"  sha256:      {result.sha256}\n"
            f"  database:    {manifest['database']['vendor']}, {len(manifest['tables'])} tables, "
            f"{sum(manifest['tables'].values())} rows\n"
            f"  files:       {len(media)} uploaded files, {sum(f['size'] for f in media)} bytes\n"
            f"  change log:  {chain.get('entries', 0)} entries, head #{chain.get('seq', 0)} {chain.get('hash', '')}\n"
        )
