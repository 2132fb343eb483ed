"""The system administrator manages users, organisations and training records, and no case content."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from cases.demo import ADMIN_MODEL_PERMS

pytestmark = pytest.mark.django_db

CASE_CONTENT_APPS = (
    "cases",
    "referrals",
    "services",
    "reintegration",
    "rehabilitation",
    "monitoring",
    "safety",
)
ALLOWED = {("cases", "user"), ("cases", "organisation"), ("cases", "trainingrecord"), ("cases", "userrole")}


@pytest.fixture
def demo_like_sysadmin(sysadmin):
    """The demo's administrator: staff, with the model permissions cases/demo.py grants."""
    perms = Permission.objects.filter(
        content_type__app_label__in={a for a, _ in ADMIN_MODEL_PERMS},
        content_type__model__in=[m for _, m in ADMIN_MODEL_PERMS],
    )
    sysadmin.user_permissions.add(*perms)
    return sysadmin


def _content_models():
    for label in CASE_CONTENT_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        yield from config.get_models()


def test_no_case_content_model_is_registered_in_the_admin():
    registered = {(m._meta.app_label, m._meta.model_name) for m in admin.site._registry}
    for model in _content_models():
        key = (model._meta.app_label, model._meta.model_name)
        if key not in ALLOWED:
            assert key not in registered, (
                f"{key} must not be in the admin: the administrator reads no case content"
            )


def test_admin_index_shows_only_the_administrators_tools(client, demo_like_sysadmin, case_of_caseworker):
    client.force_login(demo_like_sysadmin)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    shown = {
        (app["app_label"], model["object_name"].lower())
        for app in index.context["app_list"]
        for model in app["models"]
    }
    # User roles are edited inline on the user.
    assert (
        shown <= ALLOWED
        and {("cases", "user"), ("cases", "organisation"), ("cases", "trainingrecord")} <= shown
    )
    body = index.content.decode()
    # ("Cases" is the heading of the app that holds users and organisations.)
    for name in ("People", "Case accesses", "Case assignments"):
        assert f">{name}<" not in body
    assert case_of_caseworker.person.family_name not in body


def test_no_admin_url_of_a_case_content_model_answers(client, demo_like_sysadmin, case_of_caseworker):
    client.force_login(demo_like_sysadmin)
    checked = 0
    for model in _content_models():
        key = (model._meta.app_label, model._meta.model_name)
        obj = model._default_manager.first()
        for action, args in (
            ("changelist", []),
            ("add", []),
            ("change", [obj.pk] if obj else None),
            ("history", [obj.pk] if obj else None),
        ):
            if args is None:
                continue
            try:
                url = reverse(f"admin:{key[0]}_{key[1]}_{action}", args=args)
            except NoReverseMatch:
                url = f"/admin/{key[0]}/{key[1]}/" + (f"{args[0]}/change/" if args else "")
            status = client.get(url).status_code
            checked += 1
            if key in ALLOWED:
                continue
            assert status != 200, (url, status)
    assert checked > 20


def test_allowed_tools_work(client, demo_like_sysadmin, caseworker):
    client.force_login(demo_like_sysadmin)
    assert client.get(reverse("admin:cases_user_changelist")).status_code == 200
    assert client.get(reverse("admin:cases_user_change", args=[caseworker.pk])).status_code == 200
    assert client.get(reverse("admin:cases_organisation_changelist")).status_code == 200


def test_sysadmin_reaches_no_case_page(client, sysadmin, case_of_caseworker):
    client.force_login(sysadmin)
    assert client.get(reverse("cases:list")).status_code == 404
    assert client.get(case_of_caseworker.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/cases/{case_of_caseworker.reference}/").status_code == 404
    assert client.get("/api/v1/cases/").json()["results"] == []


@pytest.mark.parametrize("inline", ["role_grants", "training_records"])
def test_a_forged_form_count_builds_no_more_forms_than_the_inline_allows(client, demo_like_sysadmin, inline):
    """A management form claiming 10^12 forms is refused with Django's message, and the refused
    page renders no more than the inline's maximum (Django's default ceiling was 2,000)."""
    from cases.admin import TRAINING_RECORDS_PER_USER
    from cases.models import Role, User

    most = {"role_grants": len(Role), "training_records": TRAINING_RECORDS_PER_USER}[inline]
    client.force_login(demo_like_sysadmin)
    data = {"username": "forged", "email": "forged@example.invalid"}
    for prefix in ("role_grants", "training_records"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    data[f"{inline}-TOTAL_FORMS"] = str(10**12)
    response = client.post(reverse("admin:cases_user_add"), data)
    assert response.status_code == 200
    formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == inline)
    assert len(formset.formset.forms) == most
    expected = f"Please submit at most {most} form"
    assert any(expected in str(error) for error in formset.formset.non_form_errors())
    assert not User.objects.filter(username="forged").exists()
