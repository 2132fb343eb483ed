from django.contrib.postgres.operations import CreateCollation
from django.db import migrations


class Migration(migrations.Migration):
    """ICU's Latvian rules for sorting names (Č after C); a no-op on SQLite."""

    dependencies = [("cases", "0005_safety_fields")]

    operations = [CreateCollation("nrm_lv", provider="icu", locale="lv")]
