"""End to end in a real browser: staff find a profile masked and erase it, export a
customer's data and download an erasure receipt.

Headless Chromium from the distribution (`apt-get install chromium`), driven by
Playwright against pytest-django's live server (`browser_page`,
tests/conftest.py). Screenshots of the main pages go to a temporary
directory, or to `SCREENSHOTS_DIR` when set (look at them: they must look right).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from pii.audit.sealing import audit_seal
from pii.models import AccessEvent, ApiKey, DeletionRequest, Profile
from pii.profiles import deletion
from tests.support import (
    BROWSER_TEST,
    CLERK_PERMISSIONS,
    REQUESTED_ADDRESS,
    REQUESTED_PROFILE,
    STAFF_PASSWORD,
    admin_change_url,
    browser_log_in,
    make_address,
    make_staff,
)

pytestmark = BROWSER_TEST


@pytest.mark.django_db(transaction=True)
def test_staff_find_a_masked_profile_and_erase_it(browser_page, live_server, shot):
    page = browser_page
    from django.contrib.auth.models import Permission

    staff = User.objects.create_user("clerk", password=STAFF_PASSWORD, is_staff=True)
    codenames = [p.split(".")[-1] for p in CLERK_PERMISSIONS]
    staff.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    _, key = ApiKey.objects.create_key(name="e2e", scopes=["profiles:read", "profiles:write"])
    api = page.context.request
    auth = {"Authorization": f"Bearer {key}"}

    # A customer profile, and a few others, created through the API.
    created = api.post(
        f"{live_server.url}/v1/d/pii/profiles",
        headers=auth,
        data={
            "email": "jane.doe@example.org",
            "full_name": "Jane Doe",
            "phone_number": "+4915112345678",
        },
    )
    assert created.status == 201, created.text()
    profile = created.json()
    for email, name in [
        ("john.smith@example.com", "John Smith"),
        ("zoe.mueller@example.net", "Zoë Müller"),
    ]:
        api.post(
            f"{live_server.url}/v1/d/pii/profiles",
            headers=auth,
            data={"email": email, "full_name": name},
        )

    # Log in.
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    assert page.locator("#pii-overview").is_visible()
    assert page.locator("#pii-overview").inner_text().count("Profiles") == 1
    shot(page, "01-index")

    # Find the profile by its whole email (masked staff search whole values only,
    # letter case ignored); it is shown masked.
    page.goto("/admin/pii/profile/")
    page.fill("#searchbar", "JANE.DOE@example.org")
    page.press("#searchbar", "Enter")
    page.wait_for_url(re.compile(r"q=JANE"))
    results = page.locator("#result_list tbody tr")
    assert results.count() == 1
    row_text = results.first.inner_text()
    assert "j***@example.org" in row_text
    assert "J*** D***" in row_text
    assert "jane.doe@example.org" not in page.content()
    shot(page, "02-profile-search")

    # Open it: still masked, no personal data in any input.
    results.first.locator("th a").click()
    page.wait_for_url(re.compile(r"/change/"))
    content = page.content()
    assert profile["display_id"] in content
    assert "j***@example.org" in content
    assert "jane.doe@example.org" not in content
    assert "Jane Doe" not in content
    assert "4915112345678" not in content
    shot(page, "03-profile-change")

    # The customer asks for deletion on the phone: staff open the request from
    # the profile's page, then approve it from the request's page.
    page.click("text=Request deletion…")
    page.wait_for_selector("text=Yes, request deletion")
    shot(page, "03-request-deletion-confirmation")
    page.click("input[type=submit][value='Yes, request deletion']")
    page.wait_for_url(re.compile(r"/deletionrequest/.+/change/"))
    assert "Deletion request opened." in page.locator("ul.messagelist").inner_text()
    assert "Pending review" in page.locator("#content-main").inner_text()
    shot(page, "04-deletion-request-pending")
    request_path = re.escape(page.url.split("?")[0].removeprefix(live_server.url))
    page.goto("/admin/")
    pending_row = page.locator("#pii-overview tr", has_text="Pending deletion requests")
    assert pending_row.locator("td.pii-count").inner_text().strip() == "1"
    shot(page, "01-index-with-pending-request")
    pending_row.locator("th a").click()
    page.wait_for_url(re.compile(r"status=pending"))
    row = page.locator("#result_list tbody tr", has_text=profile["display_id"])
    assert row.count() == 1
    shot(page, "04-deletion-requests")
    row.locator("th a").click()
    page.wait_for_url(re.compile(request_path))
    page.click("text=Approve and erase…")
    page.wait_for_selector("text=Yes, approve and erase")
    assert profile["id"] in page.content()
    shot(page, "05-approve-confirmation")
    page.click("input[type=submit][value='Yes, approve and erase']")
    page.wait_for_selector("ul.messagelist")
    assert "1 profile(s) erased." in page.locator("ul.messagelist").inner_text()
    record = page.locator("#content-main").inner_text()
    assert "Executed" in record
    assert profile["id"] in record
    assert "clerk" in record
    assert "jane" not in record.lower()
    assert page.locator("text=Approve and erase…").count() == 0
    shot(page, "06-approved")
    page.goto("/admin/pii/deletionrequest/")
    executed = page.locator("#result_list tbody tr", has_text=profile["display_id"])
    assert "Executed" in executed.inner_text()
    assert "erased" in executed.inner_text()
    shot(page, "06-deletion-requests-after")

    # The API no longer knows the profile.
    gone = api.get(f"{live_server.url}/v1/d/pii/profiles/{profile['id']}", headers=auth)
    assert gone.status == 404
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert not Profile.objects.filter(pk=profile["id"]).exists()
    assert DeletionRequest.objects.get(profile_ref=profile["id"]).status == "executed"

    # API keys: the list, and a new key shown once.
    page.goto("/admin/pii/apikey/")
    shot(page, "07-api-keys")
    page.goto("/admin/pii/apikey/add/")
    page.fill("#id_name", "store-42-pos")
    page.check("input[name=scopes][value='profiles:read']")
    page.check("input[name=scopes][value='tokenize']")
    shot(page, "08-api-key-add")
    page.click("input[name=_save]")
    page.wait_for_selector("#api-key")
    new_key = page.locator("#api-key").inner_text().strip()
    shot(page, "09-api-key-created")
    listed = api.get(
        f"{live_server.url}/v1/d/pii/profiles", headers={"Authorization": f"Bearer {new_key}"}
    )
    assert listed.status == 200


@pytest.mark.django_db(transaction=True)
def test_the_admin_is_styled(browser_page, live_server):
    """The live server serves the admin's static files: pages are not unstyled."""
    page = browser_page
    User.objects.create_superuser("root", password=STAFF_PASSWORD)

    page.goto("/admin/login/")
    css = page.request.get(f"{live_server.url}/static/admin/css/base.css")
    header_color = page.eval_on_selector("#header", "el => getComputedStyle(el).backgroundColor")

    assert css.status == 200
    assert header_color not in ("rgba(0, 0, 0, 0)", "transparent")


@pytest.mark.django_db(transaction=True)
def test_an_officer_sees_clear_values_edits_and_rejects(browser_page, live_server, shot):
    """Staff holding "Can view unmasked PII" see and edit the values; a
    rejection asks for a reason."""
    page = browser_page
    from django.contrib.auth.models import Permission

    from pii.profiles import services

    officer = User.objects.create_user("officer", password=STAFF_PASSWORD, is_staff=True)
    codenames = [p.split(".")[-1] for p in CLERK_PERMISSIONS] + ["view_unmasked_pii"]
    officer.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    profile, _ = services.profile_get_or_create(
        data={
            "email": "zoe.mueller@example.net",
            "full_name": "Zoë Müller",
            "phone_number": "+33612345699",
            "extended_attributes": {"tier": {"data_type": "string", "value": "gold"}},
        },
        now=timezone.now(),
    )
    make_address(
        profile,
        full_name="Zoë Müller",
        address_line_1="12 rue de la Paix",
        zip_code="75002",
        city="Paris",
        country_code="FR",
        contact_phone="+33612345699",
    )

    page.goto("/admin/login/?next=/admin/pii/profile/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/pii/profile/$"))
    assert "zoe.mueller@example.net" in page.locator("#result_list").inner_text()
    page.fill("#searchbar", "zoe mul")
    page.press("#searchbar", "Enter")
    page.wait_for_url(re.compile(r"q=zoe"))
    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_url(re.compile(r"/change/"))
    assert page.input_value("#id_email") == "zoe.mueller@example.net"
    assert "Paris" in page.content()  # the address inline
    page.fill("#id_full_name", "Zoë Müller-Martin")
    shot(page, "10-profile-change-unmasked")
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist")
    assert "was changed successfully" in page.locator("ul.messagelist").inner_text()
    assert Profile.objects.get(pk=profile.pk).full_name == "Zoë Müller-Martin"

    # A deletion request, rejected with a reason: the profile stays.
    request_ = deletion.deletion_request_create(profile_id=profile.pk, now=timezone.now())
    page.goto("/admin/pii/deletionrequest/?status=pending")
    page.locator("#result_list tbody tr input.action-select").first.check()
    page.select_option("select[name=action]", "reject_selected")
    page.click("button[name=index]")
    page.wait_for_selector("textarea[name=reason]")
    # The reason is required: the browser does not even send the form without it
    # (the server refuses a blank one too: tests/admin/test_deletion_requests.py).
    page.click("input[type=submit][value=Reject]")
    assert page.eval_on_selector("textarea[name=reason]", "el => el.validity.valueMissing")
    assert DeletionRequest.objects.get(pk=request_.pk).status == "pending"
    page.fill("textarea[name=reason]", "Open invoice: legal hold until paid.")
    shot(page, "11-reject-confirmation")
    page.click("input[type=submit][value=Reject]")
    page.wait_for_selector("ul.messagelist")
    assert "1 request(s) rejected." in page.locator("ul.messagelist").inner_text()
    assert DeletionRequest.objects.get(pk=request_.pk).status == "rejected"
    assert Profile.objects.filter(pk=profile.pk).exists()


# The customer of the deletion tests, with a store id (fake data: the doc's pictures).
SUBJECT_PROFILE = {**REQUESTED_PROFILE, "store_id": "store-0042-01"}


@pytest.mark.django_db(transaction=True)
def test_staff_export_a_customers_data_and_download_the_erasure_receipt(
    browser_page, live_server, shot, tmp_path
):
    """Data subject requests (docs/subject-rights.md): "Export personal data" on
    the profile's page, then the erasure receipt, as JSON and printable, on the
    executed deletion request's page. Its screenshots are the doc's."""
    page = browser_page
    staff = make_staff("dpo", (*CLERK_PERMISSIONS, "view_unmasked_pii", "export_personal_data"))
    # The shop's till creates the customer (purpose: checkout); later its
    # customer service reads the profile. Both are in the access log.
    _, key = ApiKey.objects.create_key(
        name="store-0042-pos", scopes=["profiles:read", "profiles:write"]
    )
    api = page.context.request
    profiles_url = f"{live_server.url}/v1/d/pii/profiles"

    def headers(purpose: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", "X-Access-Purpose": purpose}

    created = api.post(profiles_url, headers=headers("checkout"), data=SUBJECT_PROFILE)
    assert created.status == 201, created.text()
    profile = Profile.objects.get(pk=created.json()["id"])
    address = api.post(
        f"{profiles_url}/{profile.pk}/addresses",
        headers=headers("checkout"),
        data=REQUESTED_ADDRESS,
    )
    assert address.status == 201, address.text()
    read = api.get(f"{profiles_url}/{profile.pk}", headers=headers("customer_service"))
    assert read.status == 200

    # "Give me my data": staff open the profile, say why (a data subject
    # request), and "Export personal data" downloads a ZIP.
    browser_log_in(page, "dpo", next_path=admin_change_url(profile.pk))
    page.click("text=data subject request")
    page.wait_for_url(re.compile(r"purpose=data_subject_request"))
    shot(page, "subject-rights-1-profile")
    with page.expect_download() as download_info:
        page.click("text=Export personal data")
    download = download_info.value
    assert download.suggested_filename == f"personal-data-{profile.pk}.zip"
    with zipfile.ZipFile(download.path()) as archive:
        assert sorted(archive.namelist()) == ["data.json", "summary.html"]
        data = json.loads(archive.read("data.json"))
        (tmp_path / "summary.html").write_bytes(archive.read("summary.html"))
    assert data["profile"]["id"] == profile.pk
    assert data["profile"]["email"] == "jane.doe@example.org"
    assert [a["city"] for a in data["addresses"]] == ["Wuppertal"]
    accesses = [(e["action"], e["actor_name"], e["purpose"]) for e in data["access_log"]]
    assert ("profile.read", "store-0042-pos", "customer_service") in accesses
    assert ("profile.export", "dpo", "data_subject_request") in accesses
    page.goto((tmp_path / "summary.html").as_uri())
    assert page.locator("h1").inner_text() == f"Your personal data: profile {profile.display_id}"
    assert "Jane Doe" in page.locator("body").inner_text()
    shot(page, "subject-rights-2-export-summary")

    # "Delete my data", then "prove it": the executed request offers its receipt.
    request_ = deletion.deletion_request_create(profile_id=profile.pk, now=timezone.now())
    # Erased and sealed in one transaction: a seal takes its own transaction's
    # events at once, while on PostgreSQL it leaves others' until no older
    # transaction is open on the server (a parallel test run may hold one).
    with transaction.atomic():
        deletion.deletion_request_approve(
            deletion_request_id=request_.pk, now=timezone.now(), decided_by=staff
        )
        audit_seal(now=timezone.now())
    erase_event = AccessEvent.objects.select_related("segment").get(
        action="profile.erase", subject_id=profile.pk
    )
    segment = erase_event.segment
    page.goto(f"/admin/pii/deletionrequest/{request_.pk}/change/")
    shot(page, "subject-rights-3-deletion-request")
    with page.expect_download() as download_info:
        page.click("text=Erasure receipt (JSON)")
    receipt = json.loads(Path(download_info.value.path()).read_text())
    assert (receipt["profile_id"], receipt["display_id"]) == (profile.pk, profile.display_id)
    assert receipt["erased"]["addresses"] == 1
    assert receipt["approved_by"]["username"] == "dpo"
    assert receipt["access_log_event_id"] == erase_event.pk
    assert receipt["access_log_segment_digest"] == segment.digest
    with page.context.expect_page() as new_page:
        page.click("text=Erasure receipt (printable)")
    printable = new_page.value
    printable.wait_for_load_state()
    assert printable.locator("h1").inner_text() == f"Erasure receipt: profile {profile.display_id}"
    text = printable.locator("body").inner_text()
    assert f"verify_audit --event {erase_event.pk}" in text
    assert segment.digest in text
    person = [REQUESTED_PROFILE[k] for k in ("email", "full_name", "phone_number")]
    for clear in (*person, REQUESTED_ADDRESS["address_line_1"], REQUESTED_ADDRESS["city"]):
        assert clear not in text
    shot(printable, "subject-rights-4-printable-receipt")
