"""Signals the ground floor sends; listeners live a floor higher (cases/ imports none of them).

access_refused: a user asked for an object that exists but that they may not see. The response
stays the same 404 as for a missing object (no leak of existence); the signal only lets the
security log (accounts/) record the refusal. Arguments: user, and target, a string naming the
object without personal data, e.g. "cases.Case:NRM-2026-0001". Stage apps send the same signal
from their own selectors (`access_refused.send(sender=Model, user=user, target="app.Model:<pk>")`).
"""

from django.dispatch import Signal

access_refused = Signal()
# The name the case selector was first documented with.
case_access_refused = access_refused
