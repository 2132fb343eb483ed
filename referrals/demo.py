"""Demo referrals: waiting (one overdue), accepted, declined, a draft and an anonymous notification.

Idempotent: each demo referral is found by its referrer and place before it is made.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

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


def load_referrals(state: dict) -> None:
    users, orgs, cases = state["users"], state["orgs"], state["cases"]
    coordinator = users["coordinator"]
    now = timezone.now()
    today = state["today"]
    for username, place, status, days_ago, demo_fields in DEMO_REFERRALS:
        fields = dict(demo_fields)
        case_key = fields.pop("_case", "unknown")
        referrer = users[username]
        if Referral.objects.filter(created_by=referrer, met_place=place).exists():
            continue
        referral = Referral(
            organisation=referrer.organisation, created_by=referrer, met_place=place, status=status, **fields
        )
        if status != Referral.Status.DRAFT:
            referral.submitted_at = now - datetime.timedelta(days=days_ago)
            referral.met_on = today - datetime.timedelta(days=days_ago + 1)
        if status == Referral.Status.ACCEPTED:
            case = cases[case_key]
            referral.case, referral.person = case, case.person
        if status in (Referral.Status.ACCEPTED, Referral.Status.DECLINED):
            referral.decided_at = referral.submitted_at + datetime.timedelta(days=1)
            referral.decided_by = coordinator
            referral.intake_organisation = orgs["mandated"]
        if status == Referral.Status.DECLINED:
            referral.decline_reason = DECLINE_REASON
        referral._history_user = referrer
        referral._change_reason = "Demo data"
        referral.save()
