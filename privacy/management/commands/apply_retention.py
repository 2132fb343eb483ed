from django.core.management.base import BaseCommand

from privacy import retention


class Command(BaseCommand):
    help = "Apply the retention schedule: anonymise closed cases, declined referrals and anonymous notifications past their periods, delete old security events."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would go; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        report = retention.apply_retention(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        for line in report.lines():
            self.stdout.write(line)
