"""GIN index on the blind-index tokens (PostgreSQL only; SQLite scans)."""

from django.db import migrations


def create_gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS profile_search_tokens_gin "
            "ON pii_profile USING gin (search_tokens)"
        )


def drop_gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS profile_search_tokens_gin")


class Migration(migrations.Migration):
    dependencies = [("pii", "0001_initial")]

    operations = [migrations.RunPython(create_gin, drop_gin)]
