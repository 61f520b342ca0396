from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from groundbreak.audit.chain import verify


def _anchor(value: str) -> tuple[int, str]:
    seq, sep, hash_ = value.partition(":")
    hash_ = hash_.strip().replace(" ", "").lower()
    if not sep or not seq.isdigit() or len(hash_) != 64:
        raise ValueError(value)
    return int(seq), hash_


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of the change history and report the first entry where it breaks "
        "(an entry edited, deleted or inserted outside the application). Exits non-zero when broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--anchor",
            action="append",
            type=_anchor,
            default=[],
            metavar="SEQ:HASH",
            help="a head printed earlier by export_chain_head that the chain must still pass through (repeatable)",
        )

    def handle(self, *args, database, anchor, **options):
        result = verify(using=database, anchors=anchor)
        if not result.ok:
            raise CommandError(f"Change history BROKEN after {result.count} entries.\n{result.problem.describe()}")
        if result.count == 0:
            self.stdout.write("Change history is empty: nothing to verify.")
            return
        self.stdout.write(
            f"Change history intact: {result.count} entries, #1 to #{result.head_seq}, "
            f"head {result.head_hash} (checked {timezone.localtime().isoformat(sep=' ', timespec='seconds')})."
        )
