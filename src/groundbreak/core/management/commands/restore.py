from django.core.management.base import BaseCommand, CommandError

from groundbreak.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `groundbreak backup` into the configured database (which must be empty) "
        "and MEDIA_ROOT. Every checksum is verified before anything is written. Stop the site and the worker first."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive written by `groundbreak backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that holds data, and write over files already in MEDIA_ROOT",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, archive, force, database, **options):
        try:
            result = restore_backup(archive, using=database, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} (Groundbreak {manifest['groundbreak_version']}):\n"
            f"  database:    {result.tables} tables, {result.rows} rows, as in the manifest\n"
            f"  files:       {result.files} uploaded files, checksums verified\n"
        )
        if result.media_left_in_place:
            self.stdout.write(
                f"  note:        {result.media_left_in_place} files already in MEDIA_ROOT were left in place\n"
            )
        if result.chain is not None and not result.chain.ok:
            raise CommandError(
                "The data is restored, but its change history does not verify:\n" + result.chain.problem.describe()
            )
        if result.chain is not None:
            self.stdout.write(
                f"  change log:  {result.chain.count} entries, chain intact up to #{result.chain.head_seq}\n"
            )
        self.stdout.write("Run `groundbreak migrate` if this version of Groundbreak is newer than the backup.\n")
