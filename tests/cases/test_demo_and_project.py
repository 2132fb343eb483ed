"""The demo data `make run` loads, and project-wide checks."""

import pytest
from django.apps import apps
from django.core.management import call_command

from cases.demo import USERS, load_demo

DEMO_PASSWORD = "demo-password-for-tests"


@pytest.mark.django_db
def test_demo_loads_once_and_every_demo_user_logs_in(client):
    load_demo(password=DEMO_PASSWORD)
    project_models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"cases", "referrals", "services", "reintegration", "monitoring", "accounts"}
        and not m.__name__.startswith("Historical")
    ]
    before = {m.__name__: m._default_manager.count() for m in project_models}
    load_demo(password=DEMO_PASSWORD)
    after = {m.__name__: m._default_manager.count() for m in project_models}
    # Running it again duplicates nothing (the read log and security log aside: nobody read anything).
    assert after == before
    assert before["Case"] >= 9
    from cases.models import Case

    # Every stage a user's clicks can reach: a case opens from an accepted referral straight into
    # identification, so no case is ever in "referral" (the referral itself is that stage).
    reachable = set(Case.Stage.values) - {Case.Stage.REFERRAL}
    assert set(Case.objects.values_list("stage", flat=True)) == reachable
    # Built through the services, every demo case agrees with its records.
    from cases.lifecycle import integrity_problems

    assert integrity_problems() == []
    for username, *_ in USERS:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        assert client.get("/").status_code == 200, username
        client.logout()


@pytest.mark.django_db
def test_caseworkers_each_have_cases_the_other_does_not(client):
    from cases.models import User
    from cases.selectors import case_list_for_user

    load_demo(password=DEMO_PASSWORD)
    one = set(case_list_for_user(user=User.objects.get(username="caseworker")))
    two = set(case_list_for_user(user=User.objects.get(username="caseworker2")))
    assert one - two and two - one


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
