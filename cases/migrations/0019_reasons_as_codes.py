"""Reasons written as translated text in the writer's language become codes (cases.reasons).

Before, a transfer, an approved identification, a risk assessment, a stage moved with a reason,
an import and a safe-contact change stored their reason already translated ("Nodota no A uz B",
"Identification approved: statement of a law-enforcement institution"), so a reader in the other
language read the writer's. Each such reason is recognised here in English and in Latvian and
rewritten as its code with its parameters; typed reasons and reasons already stored as codes are
left alone. The message ids are copied here (a migration must not change with the code).
"""

import json
import re

from django.db import migrations
from django.utils import translation

LANGUAGES = ("en", "lv")
PREFIX = '{"code":'

GROUNDS = (
    "decision of the performer of the criminal procedure",
    "statement of a law-enforcement institution",
    "assessment report of the Commission of experts",
)
RISK_LEVELS = ("Low risk", "Medium risk", "High risk")
EVENTS = (
    "Case opened",
    "Referral accepted",
    "Identification approved",
    "Referred onward to a partner",
    "Onward referral withdrawn",
    "Post-course follow-up started",
    "Moved by a coordinator",
    "Case closed",
    "Case reopened",
    "Brought into line with its records",
)
# Fixed reasons that were stored translated (str() of a lazy string in the writer's language).
FIXED = (
    *GROUNDS,
    *EVENTS,
    "Imported from the previous system",
    "Case opened from a referral",
    "Safe-contact instructions changed",
)
# code, {parameter: the codes it may hold (None: text as typed)}
WITH_PARAMS = (
    ("Transferred from %(from)s to %(to)s", {"from": None, "to": None}),
    ("Identification approved: %(ground)s", {"ground": GROUNDS}),
    ("Risk assessed: %(level)s", {"level": RISK_LEVELS}),
    ("%(event)s: %(reason)s", {"event": EVENTS, "reason": None}),
)


def _patterns():
    """(compiled pattern, code, {parameter: {translated text: code}}) in every language."""
    found = []
    for language in LANGUAGES:
        with translation.override(language):
            for code, params in WITH_PARAMS:
                template = translation.gettext(code)
                choices = {
                    name: {translation.gettext(c): c for c in codes} if codes else None
                    for name, codes in params.items()
                }
                pattern = re.escape(template)
                for name, options in choices.items():
                    group = (
                        "|".join(re.escape(o) for o in sorted(options, key=len, reverse=True))
                        if options
                        else ".+"
                    )
                    pattern = pattern.replace(re.escape(f"%({name})s"), f"(?P<{name}>{group})", 1)
                found.append((re.compile(pattern, re.DOTALL), code, choices))
    return found


def _fixed():
    """Translated text -> code, for the fixed reasons in Latvian (the English text is the code)."""
    table = {}
    for language in LANGUAGES:
        with translation.override(language):
            for code in FIXED:
                text = translation.gettext(code)
                if text != code:
                    table[text] = code
    return table


def recode(text, patterns=None, fixed=None):
    """The code of a reason stored as translated text, or None when it is no such reason."""
    if not text or text.startswith(PREFIX):
        return None
    patterns = _patterns() if patterns is None else patterns
    fixed = _fixed() if fixed is None else fixed
    for pattern, code, choices in patterns:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        params = {}
        for name, options in choices.items():
            value = match.group(name)
            if options:
                params[name] = {"t": options[value]}
            elif value in fixed or value in FIXED:
                params[name] = {"t": fixed.get(value, value)}
            else:
                params[name] = value
        return json.dumps({"code": code, "params": params}, ensure_ascii=False)
    return fixed.get(text)


def _candidates(patterns, fixed):
    """One SQL regular expression that every reason worth reading in Python matches (PostgreSQL's
    and Python's dialects agree on these: escaped literals, alternatives, groups and .+)."""
    alternatives = {re.sub(r"\(\?P<\w+>", "(", pattern.pattern) for pattern, _code, _choices in patterns}
    alternatives |= {re.escape(text) for text in fixed}
    return "^(" + "|".join(sorted(alternatives)) + ")$"


TABLES = (
    ("cases", "HistoricalCase", "history_change_reason"),
    ("cases", "HistoricalPerson", "history_change_reason"),
    ("cases", "StageChange", "reason"),
    ("cases", "HistoricalStageChange", "reason"),
    ("cases", "HistoricalStageChange", "history_change_reason"),
)


def forwards(apps, schema_editor):
    patterns, fixed = _patterns(), _fixed()
    candidates = _candidates(patterns, fixed)
    for app_label, model_name, field in TABLES:
        model = apps.get_model(app_label, model_name)
        pk = model._meta.pk.attname
        rows = model.objects.filter(**{f"{field}__regex": candidates}).values_list(pk, field)
        for key, text in rows.iterator(chunk_size=2000):
            code = recode(text, patterns, fixed)
            if code is not None and code != text:
                model.objects.filter(**{pk: key}).update(**{field: code})


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_entry_corrections"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
