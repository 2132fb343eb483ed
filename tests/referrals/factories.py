"""Referrals made through the services, as a first responder would."""

import datetime

from django.utils import timezone

from referrals import services
from referrals.models import Exploitation, Indicator, Referral


def complete_data(**overrides) -> dict:
    data = {
        "consent": True,
        "given_name": "Aija",
        "family_name": "Bērziņa",
        "date_of_birth": datetime.date(1994, 3, 12),
        "sex": "female",
        "citizenships": ["LV"],
        "languages": "latviešu",
        "phone": "+371 20000001",
        "met_on": timezone.localdate() - datetime.timedelta(days=1),
        "met_place": "Rīga, Centrālā stacija",
        "indicators": [Indicator.WITHHELD_DOCUMENTS, Indicator.DEBT_BONDAGE],
        "indicators_notes": "",
        "forms_of_exploitation": [Exploitation.FORCED_LABOUR],
        "country_of_exploitation": "GB",
        "urgent_needs": ["shelter"],
    }
    data.update(overrides)
    return data


def anonymous_data(**overrides) -> dict:
    data = complete_data(
        consent=False, given_name="", family_name="", date_of_birth=None, phone="", estimated_age=19
    )
    data.update(overrides)
    return data


def submit(actor, **overrides) -> Referral:
    return services.referral_submit(actor=actor, data=complete_data(**overrides))


def submitted_days_ago(referral: Referral, days: int) -> Referral:
    """Back-date a submission (tests only; a save, so the history stays whole)."""
    referral.submitted_at = timezone.now() - datetime.timedelta(days=days)
    referral._history_user = None
    referral.save(update_fields=["submitted_at"])
    return referral
