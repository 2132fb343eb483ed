"""The accounts app's models and personal data (cases/personal_data.py explains the registry)."""

from cases.personal_data import not_personal

from .models import ApiToken, SecurityEvent

not_personal(SecurityEvent, reason="the security log of staff actions, deleted after its retention period")
not_personal(ApiToken, reason="service accounts' API credentials (hashed), not people")
