"""Demo referrals: waiting (one overdue), accepted, declined, a draft and an anonymous notification.

Idempotent: each demo referral is found by its referrer and place before it is made.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from . import services
from .models import Exploitation, Indicator, Referral, UrgentNeed

# (referrer, place, status, days since submitted, fields)
DEMO_REFERRALS = [
    (
        "police",
        "Rīga, Centrālā stacija",
        Referral.Status.SUBMITTED,
        1,
        {
            "consent": True,
            "given_name": "Aija",
            "family_name": "Berzina",
            "date_of_birth": datetime.date(1994, 3, 12),
            "sex": "female",
            "citizenships": ["LV"],
            "languages": "latviešu",
            "indicators": [Indicator.WITHHELD_DOCUMENTS, Indicator.DEBT_BONDAGE],
            "indicators_notes": "Returned from abroad; says her employer there kept her passport.",
            "forms_of_exploitation": [Exploitation.FORCED_LABOUR],
            "country_of_exploitation": "GB",
            "urgent_needs": [UrgentNeed.SHELTER],
        },
    ),
    (
        "border",
        "Terehova robežkontroles punkts",
        Referral.Status.SUBMITTED,
        12,
        {
            "consent": True,
            "given_name": "Van An",
            "family_name": "Nguyen",
            "estimated_age": 30,
            "sex": "male",
            "citizenships": ["VN"],
            "languages": "vjetnamiešu",
            "indicators": [
                Indicator.FALSE_PROMISES,
                Indicator.RESTRICTED_MOVEMENT,
                Indicator.EXCESSIVE_HOURS,
            ],
            "forms_of_exploitation": [Exploitation.FORCED_LABOUR],
            "country_of_exploitation": "PL",
            "urgent_needs": [UrgentNeed.INTERPRETER, UrgentNeed.SHELTER],
        },
    ),
    (
        "border",
        "Rīgas brīvosta",
        Referral.Status.ACCEPTED,
        3,
        {
            "consent": True,
            "estimated_age": 25,
            "sex": "male",
            "languages": "vjetnamiešu",
            "indicators": [Indicator.ISOLATION, Indicator.CONFISCATED_EARNINGS],
            "forms_of_exploitation": [Exploitation.FORCED_LABOUR],
            "country_of_exploitation": "LV",
            "urgent_needs": [UrgentNeed.INTERPRETER],
        },
    ),
    # Accepted and since identified: gives the monitoring page a time from referral to identification.
    (
        "police",
        "Rīga, Maskavas forštate",
        Referral.Status.ACCEPTED,
        62,
        {
            "_case": "marija",
            "consent": True,
            "given_name": "Marija",
            "family_name": "Ozoliņa",
            "date_of_birth": datetime.date(2010, 7, 21),
            "sex": "female",
            "citizenships": ["LV"],
            "languages": "latviešu",
            "indicators": [Indicator.FALSE_PROMISES, Indicator.PSYCHOLOGICAL_ABUSE],
            "forms_of_exploitation": [Exploitation.SEXUAL],
            "country_of_exploitation": "LV",
            "urgent_needs": [UrgentNeed.SHELTER, UrgentNeed.SAFETY],
        },
    ),
    (
        "police",
        "Jelgava, autoosta",
        Referral.Status.DECLINED,
        10,
        {
            "consent": True,
            "given_name": "Kārlis",
            "family_name": "Avotiņš",
            "sex": "male",
            "citizenships": ["LV"],
            "indicators": [Indicator.OTHER],
            "indicators_notes": "Unpaid wages on a building site.",
            "forms_of_exploitation": [Exploitation.OTHER],
        },
    ),
    (
        "police",
        "Liepāja, ostas rajons",
        Referral.Status.DRAFT,
        None,
        {
            "given_name": "Olena",
            "sex": "female",
            "citizenships": ["UA"],
            "indicators": [Indicator.THREATS_VIOLENCE],
        },
    ),
    (
        "border",
        "Silenes robežkontroles punkts",
        Referral.Status.SUBMITTED,
        2,
        {
            "consent": False,
            "estimated_age": 19,
            "sex": "female",
            "indicators": [Indicator.THREATS_VIOLENCE, Indicator.PSYCHOLOGICAL_ABUSE],
            "indicators_notes": "Travelling with an older man who answered every question for her; declined help.",
            "forms_of_exploitation": [Exploitation.SEXUAL],
            "country_of_exploitation": "DE",
        },
    ),
]

DECLINE_REASON = (
    "Labour dispute without signs of trafficking: the person was referred to the State Labour Inspectorate."
)


def _dated(obj, actor, **dates) -> None:
    """Shift a record's dates to when it happened: the demo shows a caseload built over months,
    and a user's click can only ever say "now". Only dates are written here, never a status."""
    for name, value in dates.items():
        setattr(obj, name, value)
    obj._history_user = actor
    obj._change_reason = "Demo data: dated earlier"
    obj.save(update_fields=list(dates))


def load_referrals(state: dict) -> None:
    """Every demo referral goes through the services a first responder's and a coordinator's
    clicks call: saved as a draft, submitted, declined, or accepted (which opens the case in
    identification; docs/lifecycle.md)."""
    from cases import services as case_services
    from cases.demo import CASES

    users, cases = state["users"], state["cases"]
    coordinator, caseworker = users["coordinator"], users["caseworker"]
    now = timezone.now()
    today = state["today"]
    opened_days_ago = {key: days for key, *_rest, days in CASES}
    caseworkers_of = {key: workers for key, _f, _s, _v, workers, _d in CASES}
    for username, place, status, days_ago, demo_fields in DEMO_REFERRALS:
        fields = dict(demo_fields)
        case_key = fields.pop("_case", "unknown")
        referrer = users[username]
        existing = Referral.objects.filter(created_by=referrer, met_place=place).first()
        if existing is not None:
            if existing.case_id is not None:
                cases[case_key] = existing.case
            continue
        data = {**fields, "met_place": place}
        if status == Referral.Status.DRAFT:
            services.referral_save_draft(actor=referrer, data=data)
            continue
        data["met_on"] = today - datetime.timedelta(days=days_ago + 1)
        referral = services.referral_submit(actor=referrer, data=data)
        submitted_at = now - datetime.timedelta(days=days_ago)
        _dated(referral, referrer, submitted_at=submitted_at)
        if status == Referral.Status.DECLINED:
            referral = services.referral_decline(referral=referral, actor=coordinator, reason=DECLINE_REASON)
        elif status == Referral.Status.ACCEPTED:
            workers = [users[name] for name in caseworkers_of.get(case_key, [])]
            referral = services.referral_accept(
                referral=referral, actor=coordinator, caseworker=workers[0] if workers else caseworker
            )
            case = referral.case
            for worker in workers[1:]:
                case_services.case_assign_caseworker(case=case, caseworker=worker, actor=coordinator)
            if not workers:
                # Nobody works it yet: the dashboard's "open cases without a caseworker".
                case_services.case_unassign_caseworker(case=case, caseworker=caseworker, actor=coordinator)
            _dated(
                case,
                coordinator,
                opened_on=today - datetime.timedelta(days=opened_days_ago.get(case_key, days_ago)),
            )
            cases[case_key] = case
        if status in (Referral.Status.ACCEPTED, Referral.Status.DECLINED):
            _dated(referral, coordinator, decided_at=submitted_at + datetime.timedelta(days=1))
