"""Demo data for `make run`: every kind of organisation, one user per role, cases in every stage.

Idempotent: every object is found by a natural key before it is made, so running the loader
again duplicates nothing. Stage apps add their own demo data through register_demo_loader().
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from . import services
from .models import Case, Organisation, Person, Role, TrainingRecord, User

_loaders: list[tuple[int, Callable[[dict], None]]] = []


def register_demo_loader(order: int, loader: Callable[[dict], None]) -> None:
    _loaders.append((order, loader))


ORGANISATIONS = [
    ("police", "Valsts policija", Organisation.Kind.POLICE, {}),
    ("border", "Valsts robežsardze", Organisation.Kind.BORDER_GUARD, {}),
    (
        "consulate",
        "Latvijas Republikas vēstniecība Lielbritānijā",
        Organisation.Kind.CONSULAR,
        {"country": "GB"},
    ),
    (
        "riga",
        "Rīgas valstspilsētas pašvaldības Sociālais dienests",
        Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE,
        {"municipality": "Rīga"},
    ),
    (
        "jelgava",
        "Jelgavas valstspilsētas pašvaldības sociālais dienests",
        Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE,
        {"municipality": "Jelgava"},
    ),
    ("ngo_lv", "Biedrība «Atbalsta tīkls»", Organisation.Kind.NGO_LATVIAN, {"country": "LV"}),
    ("ngo_foreign", "Safe Passage Foundation", Organisation.Kind.NGO_FOREIGN, {"country": "NL"}),
    ("mandated", "Biedrība «Drošā osta»", Organisation.Kind.MANDATED_NGO, {}),
    ("nva", "Nodarbinātības valsts aģentūra", Organisation.Kind.EMPLOYMENT_AGENCY, {}),
    ("ministry", "Iekšlietu ministrija", Organisation.Kind.MINISTRY_INTERIOR, {}),
    ("clinic", "Rīgas pilsētas poliklīnika", Organisation.Kind.OTHER_SPECIALIST, {}),
]

USERS = [
    ("police", "Pēteris", "Liepiņš", "police", [Role.FIRST_RESPONDER]),
    ("border", "Inese", "Krūmiņa", "border", [Role.FIRST_RESPONDER]),
    ("caseworker", "Anna", "Kalniņa", "mandated", [Role.CASEWORKER]),
    ("caseworker2", "Jānis", "Ozols", "mandated", [Role.CASEWORKER]),
    ("coordinator", "Līga", "Bērziņa", "mandated", [Role.COORDINATOR]),
    ("municipality", "Dace", "Zariņa", "riga", [Role.MUNICIPAL_SOCIAL_WORKER]),
    ("employment", "Artūrs", "Vītols", "nva", [Role.EMPLOYMENT_OFFICER]),
    ("national", "Ilze", "Jansone", "ministry", [Role.NATIONAL_COORDINATOR]),
    ("admin", "Edgars", "Kļaviņš", "ministry", [Role.SYSTEM_ADMINISTRATOR]),
    ("nurse", "Ruta", "Siliņa", "clinic", [Role.FIRST_RESPONDER]),
]

# (key, person fields, the stage and victim status the stage apps' loaders lead it to through
# their services, caseworkers, opened days ago)
CASES = [
    (
        "aija",
        {
            "given_name": "Aija",
            "family_name": "Bērziņa",
            "date_of_birth": datetime.date(1994, 3, 12),
            "sex": "female",
            "citizenships": ["LV"],
            "languages": "latviešu, krievu",
            "phone": "+371 20000001",
        },
        Case.Stage.IDENTIFICATION,
        Case.VictimStatus.PRESUMED,
        ["caseworker"],
        12,
    ),
    (
        "oksana",
        {
            "given_name": "Oksana",
            "family_name": "Kovalenko",
            "date_of_birth": datetime.date(1989, 11, 2),
            "sex": "female",
            "citizenships": ["UA"],
            "languages": "ukraiņu, krievu",
            "phone": "+371 20000002",
        },
        Case.Stage.IDENTIFICATION,
        Case.VictimStatus.PRESUMED,
        ["caseworker2"],
        27,
    ),
    (
        "unknown",
        {"estimated_age": 25, "estimated_age_on": None, "sex": "male", "languages": "vjetnamiešu"},
        Case.Stage.IDENTIFICATION,
        Case.VictimStatus.PRESUMED,
        [],
        2,
    ),
    (
        "marija",
        {
            "given_name": "Marija",
            "family_name": "Ozoliņa",
            "date_of_birth": datetime.date(2010, 7, 21),
            "sex": "female",
            "citizenships": ["LV"],
            "languages": "latviešu",
        },
        Case.Stage.REHABILITATION,
        Case.VictimStatus.IDENTIFIED,
        ["caseworker"],
        60,
    ),
    (
        "lan",
        {
            "given_name": "Lan",
            "family_name": "Nguyen Thi",
            "date_of_birth": datetime.date(1998, 1, 5),
            "sex": "female",
            "citizenships": ["VN"],
            "languages": "vjetnamiešu, angļu",
        },
        Case.Stage.REHABILITATION,
        Case.VictimStatus.IDENTIFIED,
        ["caseworker2"],
        170,
    ),
    (
        "roberts",
        {
            "given_name": "Roberts",
            "family_name": "Kalējs",
            "date_of_birth": datetime.date(1985, 9, 30),
            "sex": "male",
            "citizenships": ["LV"],
            "languages": "latviešu",
            "address": "Rīga",
        },
        Case.Stage.REINTEGRATION,
        Case.VictimStatus.IDENTIFIED,
        ["caseworker"],
        240,
    ),
    (
        "ahmed",
        {
            "given_name": "Ahmed",
            "family_name": "Karimov",
            "date_of_birth": datetime.date(1992, 4, 18),
            "sex": "male",
            "citizenships": ["UZ"],
            "languages": "uzbeku, krievu",
        },
        Case.Stage.REINTEGRATION,
        Case.VictimStatus.IDENTIFIED,
        ["caseworker", "caseworker2"],
        300,
    ),
    (
        "elina",
        {
            "given_name": "Elīna",
            "family_name": "Šteinberga",
            "date_of_birth": datetime.date(2001, 12, 1),
            "sex": "female",
            "citizenships": ["LV"],
            "languages": "latviešu, angļu",
        },
        Case.Stage.CLOSED,
        Case.VictimStatus.NOT_IDENTIFIED,
        ["caseworker"],
        400,
    ),
]

# After a completed course, waiting in the post-course follow-up (rehabilitation/demo.py).
CASES.append(
    (
        "inese",
        {
            "given_name": "Inese",
            "family_name": "Liepa",
            "date_of_birth": datetime.date(1996, 8, 14),
            "sex": "female",
            "citizenships": ["LV"],
            "languages": "latviešu",
        },
        Case.Stage.FOLLOW_UP,
        Case.VictimStatus.IDENTIFIED,
        ["caseworker"],
        420,
    )
)

# Opened by the referrals' loader, from the police's and border guard's referrals accepted by the
# coordinator (referrals/demo.py); the others are opened here as cases brought in from earlier
# records (case_open with their opening date, as the caseload import does).
OPENED_FROM_REFERRALS = frozenset({"unknown", "marija"})

ADMIN_MODEL_PERMS = [
    ("cases", "user"),
    ("cases", "organisation"),
    ("cases", "trainingrecord"),
    ("cases", "userrole"),
]


@transaction.atomic
def load_demo(*, password: str) -> dict:
    today = timezone.localdate()
    orgs = {}
    for key, name, kind, extra in ORGANISATIONS:
        orgs[key], _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, **extra})

    users = {}
    for username, first, last, org_key, roles in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                organisation=orgs[org_key],
                email=f"{username}@demo.invalid",
            )
            user.set_password(password)
            user._history_user = None
            user.save()
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        for role in roles:
            services.user_grant_role(user=user, role=role, actor=None)
        users[username] = user

    admin = users["admin"]
    if not admin.is_staff:
        admin.is_staff = True
        admin.save(update_fields=["is_staff"])
    perms = Permission.objects.filter(
        content_type__app_label="cases", content_type__model__in=[m for _, m in ADMIN_MODEL_PERMS]
    )
    admin.user_permissions.add(*perms)
    # Service accounts' API tokens: listed and revoked in the admin (issued by a command).
    admin.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts", codename__in=["view_apitoken", "change_apitoken"]
        )
    )

    nurse = users["nurse"]
    if not nurse.training_records.exists():
        TrainingRecord.objects.create(
            user=nurse,
            title="Cilvēku tirdzniecības upuru atpazīšana",
            provider="Iekšlietu ministrija",
            completed_on=today - datetime.timedelta(days=90),
            valid_until=today + datetime.timedelta(days=640),
        )

    coordinator = users["coordinator"]
    cases = {}
    for key, person_fields, _stage, _status, caseworkers, days_ago in CASES:
        if key in OPENED_FROM_REFERRALS:
            continue
        fields = dict(person_fields)
        opened_on = today - datetime.timedelta(days=days_ago)
        if "estimated_age" in fields:
            fields["estimated_age_on"] = opened_on
        lookup = {k: fields.get(k, "") for k in ("given_name", "family_name")}
        lookup["date_of_birth"] = fields.get("date_of_birth")
        person = Person.objects.filter(**lookup, languages=fields.get("languages", "")).first()
        if person is not None:
            cases[key] = person.cases.first()
            continue
        person = services.person_create(actor=coordinator, **fields)
        # The stage and the victim status are not written here: the stage apps' loaders record
        # what happened through their services (an approved identification, an onward referral,
        # a course and its follow-up, closing) and the stage follows (docs/lifecycle.md).
        case = services.case_open(
            person=person, organisation=orgs["mandated"], actor=coordinator, opened_on=opened_on
        )
        for username in caseworkers:
            services.case_assign_caseworker(case=case, caseworker=users[username], actor=coordinator)
        cases[key] = case

    state = {"orgs": orgs, "users": users, "cases": cases, "today": today, "password": password}
    for _order, loader in sorted(_loaders, key=lambda item: item[0]):
        loader(state)
    return state
