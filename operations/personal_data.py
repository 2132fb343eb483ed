"""The operations app's models and personal data (cases/personal_data.py explains the registry)."""

from cases.personal_data import not_personal

from .models import JobHeartbeat, OutboxEmail

not_personal(
    OutboxEmail,
    reason="e-mails to staff: a staff address, a subject and a link, never a victim's data",
)
not_personal(JobHeartbeat, reason="the periodic jobs' last runs")
