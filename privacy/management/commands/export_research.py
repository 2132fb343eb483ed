from django.core.management.base import BaseCommand

from privacy import research_export


class Command(BaseCommand):
    help = "Write the de-identified, k-anonymous case-level export for research (CTDC fields) and its report."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write the CSV file.")
        parser.add_argument(
            "--k", type=int, default=None, help="Smallest group size (default PRIVACY_EXPORT_K)."
        )

    def handle(self, *args, path, k=None, **options):
        release = research_export.build(k=k)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(release.csv())
        for line in release.report():
            self.stdout.write(line)
