from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.demo import USERS, load_demo
from cases.models import Role


class Command(BaseCommand):
    help = "Load the demo organisations, users and cases (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=None, help="Demo password (default: $DEMO_PASSWORD).")

    def handle(self, *args, password=None, **options):
        password = password or settings.DEMO_PASSWORD
        if len(password or "") < 12:
            raise CommandError("Set DEMO_PASSWORD (at least 12 characters) or pass --password.")
        state = load_demo(password=password)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(state['cases'])} demo cases."))
        self.stdout.write(f"Demo logins (password: {password}):")
        for username, _first, _last, org_key, roles in USERS:
            labels = ", ".join(str(Role(r).label) for r in roles)
            self.stdout.write(f"  {username:<13} {labels:<28} {state['orgs'][org_key].name}")
