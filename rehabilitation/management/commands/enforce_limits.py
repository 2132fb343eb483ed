import datetime

from django.core.management.base import BaseCommand, CommandError

from rehabilitation import jobs


class Command(BaseCommand):
    help = "Enforce the limits of stage 2 now (the daily job): end courses on day 181, raise alerts, e-mail them."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as of this Europe/Riga date (YYYY-MM-DD), e.g. to catch up.")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("Give the date as YYYY-MM-DD.") from exc
        result = jobs.enforce_limits(today=today)
        self.stdout.write(
            f"{result.today.isoformat()}: {result.alerts_raised} alerts raised, {result.courses_ended} courses ended, "
            f"{result.reflection_periods_ended} reflection periods ended, {result.emails_sent} e-mails sent"
        )
