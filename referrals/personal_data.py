"""The personal data of stage 1 (cases/personal_data.py explains the registry)."""

from cases.personal_data import Rule, Withhold, register

from .models import Referral, ReferralAccess

register(
    Referral,
    case_path="case",
    fields={
        "given_name": Rule.BLANK,
        "family_name": Rule.BLANK,
        "other_names": Rule.BLANK,
        "date_of_birth": Rule.NULL,
        "languages": Rule.BLANK,
        "phone": Rule.BLANK,
        "email": Rule.BLANK,
        "address": Rule.BLANK,
        "met_on": Rule.MONTH,
        "met_place": Rule.BLANK,
        "indicators_notes": Rule.REDACT,
        "decline_reason": Rule.REDACT,
        "informed_details": Rule.REDACT,
    },
    # Who was told of a child's referral: other people's names.
    withhold={"informed_details": Withhold.THIRD_PARTY},
)

# Codes and dates only; kept as the record of who read the referral.
register(ReferralAccess, case_path="referral__case", fields={})
