"""Issue an API token to a service account; the key is printed once and stored only as a hash.

    manage.py issue_api_token --user nva-sync --issued-by admin --name "Agency sync" --days 90 \
        [--write reintegration-measure-list --write reintegration-referral-complete]

Without --write the token is read-only. The account must hold an approved "Service account"
role (granted in the admin, approved by a second person); --issued-by names the system
administrator issuing it, who is recorded in the security log.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from cases.models import User


class Command(BaseCommand):
    help = "Issue an API token to a service account (printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="The service account's username.")
        parser.add_argument("--issued-by", required=True, help="The system administrator's username.")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument("--days", type=int, default=90, help="Days until it expires (default 90).")
        parser.add_argument(
            "--write", action="append", default=[], help="A write endpoint's URL name (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        actor = User.objects.filter(username=options["issued_by"]).first()
        if user is None or actor is None:
            raise CommandError("No such user.")
        try:
            token, key = services.api_token_issue(
                user=user,
                actor=actor,
                name=options["name"],
                days=options["days"],
                scope="write" if options["write"] else "read_only",
                write_endpoints=options["write"],
            )
        except PermissionDenied as exc:
            raise CommandError(f"{actor.username} may not issue API tokens.") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(str(m) for m in exc.messages)) from exc
        self.stdout.write(
            f"Token for {user.username}, expires {token.expires_at:%Y-%m-%d}. Key (shown once):"
        )
        self.stdout.write(key)
