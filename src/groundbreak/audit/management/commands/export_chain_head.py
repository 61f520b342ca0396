from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connections

from groundbreak.audit.chain import head_digest, store_head, verify
from groundbreak.audit.models import ChainHeadExport


class Command(BaseCommand):
    help = (
        "Print (or write to a file) a short digest of the change history's head — date, sequence, "
        "number of entries, head hash — to print or e-mail, so that a later rewrite of the history shows."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="write the digest to this file instead of printing it")
        parser.add_argument(
            "--store", action="store_true", help="also keep it among the exported heads listed in the admin"
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, output, store, database, **options):
        verification = verify(using=database)
        digest = head_digest(using=database, verification=verification)
        connection = connections[database]
        where = f"{connection.vendor} {connection.settings_dict['NAME']}"
        if connection.settings_dict.get("HOST"):
            where += f" on {connection.settings_dict['HOST']}"
        text = digest.text(database=where, verification=verification)
        if store:
            store_head(digest, verification, source=ChainHeadExport.Source.COMMAND, using=database)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Change-history head #{digest.seq} written to {output}")
        else:
            self.stdout.write(text, ending="")
