"""`groundbreak export KIND -o FILE`: projects, time nodes, reports or issues as xlsx/CSV, or open data."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from groundbreak.exchange.exporting import FORMATS, export
from groundbreak.exchange.kinds import KINDS

OPEN_DATA = ("oc4ids", "geojson")


class Command(BaseCommand):
    help = (
        "Export all projects, time nodes, reports or issues as .xlsx or .csv (the import's columns), "
        "or the published projects as an OC4IDS package or GeoJSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[*KINDS, *OPEN_DATA])
        parser.add_argument("-o", "--output", required=True, help="the file to write; .xlsx or .csv for tables")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of headers and names (default: the site's)",
        )

    def handle(self, *args, kind, output, language, **options):
        with translation.override(language):
            if kind == "oc4ids":
                # Imported here: the open-data modules are optional to this command.
                from groundbreak.exchange.oc4ids import write_package

                write_package(output)
            elif kind == "geojson":
                from groundbreak.exchange.geojson import write_geojson

                write_geojson(output)
            else:
                fmt = Path(output).suffix.lower().lstrip(".")
                if fmt not in FORMATS:
                    raise CommandError("The output file must end in .xlsx or .csv.")
                try:
                    with open(output, "wb") as stream:
                        export(kind, fmt, stream)
                except OSError as error:
                    raise CommandError(f"Cannot write {output}: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))
