from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database (DATABASE_URL's, or --database) "
        "and put its files back where this deployment keeps them."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The backup directory.")
        parser.add_argument(
            "--database", default="", help="The empty database to restore into (default: DATABASE_URL's)."
        )
        parser.add_argument("--files-root", default="", help="Put the files under this directory instead.")
        parser.add_argument("--jobs", type=int, default=2, help="pg_restore's parallel jobs (default 2).")

    def handle(self, *args, **options):
        source = Path(options["source"])
        if not (source / backup.MANIFEST).is_file():
            raise CommandError(f"{source} is not a backup (no {backup.MANIFEST}).")
        database = options["database"] or settings.DATABASES["default"]["NAME"]
        try:
            result = backup.restore(
                source=source,
                database=database,
                files_root=Path(options["files_root"]) if options["files_root"] else None,
                jobs=options["jobs"],
            )
        except Exception as error:
            raise CommandError(f"Restore failed: {error}") from error
        self.stdout.write(f"{database}: restored from {source} in {result.seconds:.1f} s")
