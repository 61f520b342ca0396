"""`groundbreak tick`: the warning lights for the new day, the daily checks, then a sweep of due
deliveries. Run it from cron once a day (`5 7 * * * groundbreak tick`, and `5 0 * * * groundbreak
tick --lights-only` for the lights at midnight); running it again the same day repeats nothing."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from groundbreak.notify.delivery import process_due
from groundbreak.notify.scheduler import run_daily_checks


class Command(BaseCommand):
    help = "Run today's daily checks (once per day) and send the notifications that are due."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="run the checks for this date (YYYY-MM-DD) instead of today, e.g. to catch up a missed day",
        )
        parser.add_argument("--no-send", action="store_true", help="run the checks but leave sending to the worker")
        parser.add_argument(
            "--lights-only",
            action="store_true",
            help="only recompute the stored warning lights for today (cron it just after midnight)",
        )

    def handle(self, *args, date=None, no_send=False, lights_only=False, **options):
        from groundbreak.portfolio.stored_lights import refresh_stale_lights

        if date is None:
            self.stdout.write(f"warning lights: {refresh_stale_lights()} recomputed")
        if lights_only:
            return
        results = run_daily_checks(date)
        for result in results:
            if result.status == "ran":
                self.stdout.write(f"{result.name}: {result.result} notification(s)")
            elif result.status == "skipped":
                self.stdout.write(f"{result.name}: already ran for this date")
            else:
                self.stderr.write(f"{result.name}: failed: {result.error}")
        if not no_send:
            outcome = process_due()
            self.stdout.write(f"deliveries: {outcome.sent} sent, {outcome.retrying} to retry, {outcome.failed} failed")
        failed = [r.name for r in results if r.status == "error"]
        if failed:
            # A non-zero exit makes cron mail the failure to whoever watches it.
            raise CommandError(f"daily checks failed: {', '.join(failed)}")
