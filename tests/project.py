"""The project's own apps, derived from INSTALLED_APPS: those whose code lives in this repository.

Tests that must cover every app use this instead of a list of their own, so a new app is in them
from its first commit.
"""

from functools import cache
from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings


@cache
def _project_app_configs() -> tuple[AppConfig, ...]:
    base = Path(settings.BASE_DIR).resolve()
    configs = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and ".venv" not in path.relative_to(base).parts:
            configs.append(config)
    return tuple(configs)


def project_app_configs() -> list[AppConfig]:
    # The app registry is fixed once Django has started: found once, a fresh list each call.
    return list(_project_app_configs())


def project_app_labels() -> list[str]:
    return [config.label for config in project_app_configs()]
