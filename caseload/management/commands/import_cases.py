"""manage.py import_cases FILE --as USERNAME [--dry-run]: bring an existing caseload in (docs/import.md)."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from caseload import sheets
from caseload.importer import import_workbook
from cases.models import User


class Command(BaseCommand):
    help = (
        "Import persons and cases from the template (an .xlsx workbook, or a directory or .zip of CSV files)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="The filled-in template: .xlsx, .zip of CSV files, or a directory of them."
        )
        parser.add_argument(
            "--as", dest="username", required=True, help="The acting user: a coordinator of the mandated NGO."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and report; change nothing."
        )

    def handle(self, *args, file, username, dry_run, **options):
        actor = User.objects.filter(username=username, is_active=True).select_related("organisation").first()
        if actor is None:
            raise CommandError(f"No active user {username!r}.")
        path = Path(file)
        if not path.exists():
            raise CommandError(f"No such file or directory: {file}")
        try:
            book = sheets.read_path(path)
        except sheets.Unreadable as error:
            raise CommandError(str(error)) from None
        try:
            report = import_workbook(book=book, actor=actor, dry_run=dry_run)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        for problem in report.problems:
            where = f"{problem.kind}" + (f", row {problem.row}" if problem.row else "")
            column = f", {problem.column}" if problem.column else ""
            self.stdout.write(f"{where}{column}: {problem.message}")
        created = ", ".join(f"{kind} {n}" for kind, n in report.created.items()) or "nothing"
        skipped = ", ".join(f"{kind} {n}" for kind, n in report.skipped.items()) or "nothing"
        if report.problems:
            raise CommandError(
                f"{len(report.problems)} problem(s) in {report.rows} rows; nothing was imported."
            )
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Dry run: {report.rows} rows are fine; would create {created}; would skip (imported before) {skipped}. Nothing was changed."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {report.rows} rows: created {created}; skipped (imported before) {skipped}."
                )
            )
