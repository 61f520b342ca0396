"""`groundbreak import KIND FILE [--apply] [--user NAME]`: preview, or apply, a spreadsheet."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from groundbreak.exchange import importing
from groundbreak.exchange.kinds import KINDS, get_kind
from groundbreak.exchange.reading import FileError, read_table

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Check an .xlsx or .csv file of projects, time nodes, reports or issues and print what it would change, "
        "with every row error; --apply writes it, all or nothing. Exits non-zero on errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("file")
        parser.add_argument("--apply", action="store_true", help="write the changes (default: only preview)")
        parser.add_argument("--user", help="act as this user, with their permissions and scope (default: the system)")
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default=settings.LANGUAGE_CODE
        )

    def handle(self, *args, kind, file, apply, user, language, **options):
        acting = self._user(user)
        with translation.override(language):
            try:
                with open(file, "rb") as stream:
                    table = read_table(get_kind(kind).sheet, stream, file)
            except FileError as error:
                raise CommandError(error.message) from error
            except OSError as error:
                raise CommandError(f"Cannot read {file}: {error}") from error
            if not apply:
                plan = importing.preview(kind, table, user=acting)
                self._print_plan(plan, options["verbosity"])
                if not plan.ok:
                    raise CommandError(f"{plan.counts()['error_rows']} row(s) with errors; nothing was written.")
                return
            try:
                plan, result = importing.apply(kind, table, user=acting)
            except importing.PlanChanged as changed:
                self._print_plan(changed.plan, options["verbosity"])
                raise CommandError(
                    f"{changed.plan.counts()['error_rows']} row(s) with errors; nothing was written."
                ) from None
            except importing.ImportFailed as failure:
                for error in failure.errors:
                    self.stderr.write(str(error))
                raise CommandError("The import stopped; nothing was written.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Applied: {result['create']} created, {result['update']} updated, {result['unchanged']} unchanged."
            )
        )

    def _user(self, username):
        if not username:
            return None
        from django.contrib.auth import get_user_model

        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {username}.") from None

    def _print_plan(self, plan, verbosity: int) -> None:
        counts = plan.counts()
        self.stdout.write(
            f"{counts['rows']} rows: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['unchanged']} unchanged, {counts['error_rows']} with errors."
        )
        if plan.ignored_headers:
            self.stdout.write("Columns not recognised, left out: " + ", ".join(plan.ignored_headers))
        limit = None if verbosity > 1 else SHOWN
        for action, title in ((importing.CREATE, "Create"), (importing.UPDATE, "Update")):
            operations = plan.of(action)
            for op in operations[:limit]:
                changes = "; ".join(
                    f"{column}: {before or '—'} → {after or '—'}" for column, before, after in op.changes
                )
                self.stdout.write(f"  {title} row {op.row}: {op.key} {op.label}" + (f" ({changes})" if changes else ""))
            if limit is not None and len(operations) > limit:
                self.stdout.write(f"  … and {len(operations) - limit} more to {action} (-v 2 lists all)")
        for error in plan.errors:
            self.stderr.write(str(error))
