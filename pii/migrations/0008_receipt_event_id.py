"""Erasure receipts name their access-log event from the erasure on (written in
the erasure's transaction). Receipts written before held null there and the
download looked the event up: fill them in from the access log, once.

Reversing leaves the ids in place: the earlier code reads a stored id as is.
"""

from django.db import migrations


def fill_event_ids(apps, schema_editor):
    DeletionRequest = apps.get_model("pii", "DeletionRequest")
    AccessEvent = apps.get_model("pii", "AccessEvent")
    executed = DeletionRequest.objects.filter(status="executed", receipt__isnull=False)
    for record in executed.iterator(chunk_size=500):
        if record.receipt.get("access_log_event_id") is not None:
            continue
        # A profile is erased once: its profile.erase event is the erasure's.
        event_id = (
            AccessEvent.objects.filter(action="profile.erase", subject_id=record.profile_ref)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        if event_id is not None:
            record.receipt = {**record.receipt, "access_log_event_id": event_id}
            record.save(update_fields=["receipt"])


class Migration(migrations.Migration):
    dependencies = [
        ("pii", "0007_subject_rights"),
    ]

    operations = [migrations.RunPython(fill_event_ids, migrations.RunPython.noop)]
