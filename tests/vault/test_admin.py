"""Data entries in the admin: metadata only, never decrypted; the expired
filter; the purge action, which runs the command's code."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission, User
from django.test import Client

from pii.core import purge
from pii.core.ids import new_object_id
from pii.models import Token
from tests.support import T0
from vault import admin as vault_admin
from vault import crypto
from vault.models import DataEntry

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/vault/dataentry/"
SECRET = b"Jane Roe, IBAN DE89370400440532013000"


def make_entry(*, expires_at=None, content: bytes = SECRET) -> DataEntry:
    return DataEntry.objects.create(
        content_type="application/pdf",
        content=content,
        size=len(content),
        created_at=T0 - timedelta(days=10),
        expires_at=expires_at,
    )


@pytest.fixture
def no_decryption(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any decryption fails the test: the admin must not need the content."""

    def refuse(*args, **kwargs):
        raise AssertionError("the admin decrypted a content")

    monkeypatch.setattr(crypto, "decrypt", refuse)


@pytest.fixture
def staff_viewer(db: None) -> Client:
    """Staff allowed to view data entries, not to delete them."""
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_dataentry"))
    client = Client()
    client.force_login(user)
    return client


@time_machine.travel(T0, tick=False)
def test_the_list_shows_metadata_and_never_decrypts(admin_client, no_decryption):
    entry = make_entry(expires_at=T0 + timedelta(days=3))

    response = admin_client.get(CHANGELIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert entry.pk in html
    assert "application/pdf" in html
    assert f">{len(SECRET)}<" in html
    assert "Jane" not in html
    assert "IBAN" not in html


@time_machine.travel(T0, tick=False)
@pytest.mark.parametrize(("value", "shown"), [("yes", {"expired"}), ("no", {"live", "forever"})])
def test_the_expired_filter(admin_client, no_decryption, value, shown):
    entries = {
        "expired": make_entry(expires_at=T0 - timedelta(seconds=1)),
        "live": make_entry(expires_at=T0 + timedelta(days=1)),
        "forever": make_entry(expires_at=None),
    }

    html = admin_client.get(CHANGELIST, {"expired": value}).content.decode()

    assert {name for name, entry in entries.items() if entry.pk in html} == shown


@time_machine.travel(T0, tick=False)
def test_the_detail_page_is_read_only_metadata(admin_client, no_decryption):
    entry = make_entry(expires_at=T0 + timedelta(days=3))

    response = admin_client.get(f"{CHANGELIST}{entry.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert entry.pk in html
    assert "application/pdf" in html
    assert "Jane" not in html
    assert 'name="content"' not in html
    assert 'name="content_type"' not in html  # shown as text, not as an input
    assert 'name="_save"' not in html


def test_entries_cannot_be_added_changed_or_deleted_in_the_admin(admin_client):
    entry = make_entry()

    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{entry.pk}/delete/").status_code == 403
    response = admin_client.post(
        f"{CHANGELIST}{entry.pk}/change/", {"content_type": "text/plain", "size": 1}
    )
    assert response.status_code == 403
    assert DataEntry.objects.get(pk=entry.pk).content_type == "application/pdf"


def test_the_purge_action_is_the_command_code():
    from pii.admin import mixins

    assert isinstance(
        vault_admin.DataEntryAdmin(DataEntry, admin.site), mixins.PurgeExpiredActionMixin
    )
    assert mixins.purge_expired is purge.purge_expired


@time_machine.travel(T0, tick=False)
@pytest.mark.parametrize("select", [True, False], ids=["some-selected", "none-selected"])
def test_the_purge_action_removes_every_expired_row(admin_client, select):
    expired = make_entry(expires_at=T0 - timedelta(days=1))
    live = make_entry(expires_at=T0 + timedelta(days=1))
    Token.objects.create(
        id=new_object_id(), value="v", created_at=T0, expires_at=T0 - timedelta(days=1)
    )
    post = {"action": "purge_expired_rows", "index": "0"}
    if select:
        post[ACTION_CHECKBOX_NAME] = [live.pk]  # the selection does not matter

    response = admin_client.post(CHANGELIST, post, follow=True)

    assert response.status_code == 200
    assert list(DataEntry.objects.values_list("pk", flat=True)) == [live.pk]
    assert not DataEntry.objects.filter(pk=expired.pk).exists()
    assert Token.objects.count() == 0
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Purged expired rows: access_log 0, data_entries 1, tokens 1."]


@time_machine.travel(T0, tick=False)
def test_staff_without_delete_permission_cannot_purge(staff_viewer):
    make_entry(expires_at=T0 - timedelta(days=1))

    page = staff_viewer.get(CHANGELIST)
    staff_viewer.post(CHANGELIST, {"action": "purge_expired_rows", "index": "0"})

    assert page.status_code == 200
    assert "purge_expired_rows" not in page.content.decode()
    assert DataEntry.objects.count() == 1
