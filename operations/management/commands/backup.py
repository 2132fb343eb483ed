from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from operations import backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and every file directory into one new directory."

    def add_arguments(self, parser):
        parser.add_argument(
            "--to", help="The backup directory to create (default: var/backups/<date-time>).", default=""
        )

    def handle(self, *args, **options):
        target = Path(
            options["to"] or Path(settings.VAR_DIR) / "backups" / timezone.now().strftime("%Y%m%d-%H%M%S")
        )
        try:
            result = backup.backup(target=target)
        except (RuntimeError, FileExistsError) as error:
            raise CommandError(str(error)) from error
        m = result.manifest
        self.stdout.write(
            f"{target}: {m['rows']['cases_case']} cases, {m['files']} files, "
            f"{m['dump_bytes'] + m['file_bytes']} bytes in {result.seconds:.1f} s"
        )
