import importlib

import django.db.models.deletion
from django.db import migrations, models

# A lighter INSERT for every request's event (docs/audit.md, "Cost"):
# - no database foreign key from an event to its segment: PostgreSQL queued a
#   deferred check for every insert, of a column that is always NULL then.
#   Sealing sets it once (the append-only trigger allows nothing else) and
#   `verify_audit` checks every event against its segment's digest;
# - on PostgreSQL, `occurred_at` gets a BRIN index instead of a B-tree: events
#   are written in time order, so a block range summary answers the dashboard's
#   last 24 hours and `export_audit --since/--until`, without a B-tree insert
#   per event. New ranges are summarized by autovacuum (`autosummarize`);
#   until then they are scanned, so results are always complete. SQLite keeps
#   its B-tree (the model's `db_index`).
# SQLite rebuilds the table to drop the constraint and loses the append-only
# triggers: they are created again after the change, both ways (as in 0011).
_0011 = importlib.import_module("pii.migrations.0011_access_event_fewer_indexes")

_BTREE = "pii_accessevent_occurred_at_a189ee09"  # Django's name for db_index=True
_BRIN = "audit_event_occurred_brin"


def _occurred_at_brin(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {_BTREE}", params=None)
    schema_editor.execute(
        f"CREATE INDEX {_BRIN} ON pii_accessevent USING brin (occurred_at) "
        "WITH (autosummarize = on)",
        params=None,
    )


def _occurred_at_btree(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {_BRIN}", params=None)
    schema_editor.execute(f"CREATE INDEX {_BTREE} ON pii_accessevent (occurred_at)", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("pii", "0011_access_event_fewer_indexes"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _0011._sqlite_event_triggers_again),
        migrations.AlterField(
            model_name="accessevent",
            name="segment",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="pii.auditsegment",
            ),
        ),
        migrations.RunPython(_0011._sqlite_event_triggers_again, migrations.RunPython.noop),
        migrations.RunPython(_occurred_at_brin, _occurred_at_btree),
    ]
