from django.db import migrations

# PostgreSQL: Django gives a varchar primary key a second index,
# `varchar_pattern_ops`, for LIKE 'prefix%' lookups. Token ids are only ever
# looked up whole (/detokenize, the admin's `=id` search), so that index was
# paid for on every /tokenize (one more B-tree insert per token: 25 for a
# 25-value request) and never used. Dropped here; reversing creates it again.
# (An AlterField of Token.id would make Django create it again.)

_LIKE = "pii_token_id_74999e96_like"  # Django's name for it


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {_LIKE}", params=None)


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_LIKE} ON pii_token (id varchar_pattern_ops)",
            params=None,
        )


class Migration(migrations.Migration):
    dependencies = [("pii", "0012_access_event_lighter_insert")]

    operations = [migrations.RunPython(_drop, _create, elidable=False)]
