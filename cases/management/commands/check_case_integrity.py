"""List every case whose stage or victim status disagrees with its records (docs/lifecycle.md).

Prints the case reference, the field, what is recorded and what the records imply; no personal
data. Exits with status 1 when it finds any, so that a deployment check or CI can stop on it.
"""

from django.core.management.base import BaseCommand, CommandError

from cases.lifecycle import integrity_problems


class Command(BaseCommand):
    help = "List the cases whose stage or victim status disagrees with their records (exit 1 if any)."

    def handle(self, *args, **options):
        problems = integrity_problems()
        for p in problems:
            self.stdout.write(f"{p.reference}\t{p.field}\trecorded {p.recorded}\timplied {p.implied}")
        if problems:
            raise CommandError(f"{len(problems)} disagreement(s) between cases and their records.")
        self.stdout.write(self.style.SUCCESS("Every case agrees with its records."))
