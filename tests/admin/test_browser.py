"""End to end in a real browser: staff find a profile, see it masked, and erase it.

Headless Chromium from the distribution (`apt-get install chromium`), driven by
Playwright against pytest-django's live server. Screenshots of the main pages
go to artifacts/screenshots/ (look at them: they must look right).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections

from pii.models import ApiKey, DeletionRequest, Profile
from tests.support import CLERK_PERMISSIONS, make_address

# Playwright's sync API runs an event loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless told it is safe (it is: the
# loop only drives the browser).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
PASSWORD = "correct-horse-battery-staple"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs /usr/bin/chromium (apt-get install -y chromium chromium-driver)",
    ),
]


@pytest.fixture
def browser_page(live_server) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1440, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # Database connections opened while Playwright's loop ran live in
            # its context: close them here, or they outlive the test database.
            connections.close_all()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_staff_find_a_masked_profile_and_erase_it(browser_page, live_server):
    page = browser_page
    from django.contrib.auth.models import Permission

    staff = User.objects.create_user("clerk", password=PASSWORD, is_staff=True)
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
    page.fill("#id_password", PASSWORD)
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
    User.objects.create_superuser("root", password=PASSWORD)

    page.goto("/admin/login/")
    css = page.request.get(f"{live_server.url}/static/admin/css/base.css")
    header_color = page.eval_on_selector("#header", "el => getComputedStyle(el).backgroundColor")

    assert css.status == 200
    assert header_color not in ("rgba(0, 0, 0, 0)", "transparent")


@pytest.mark.django_db(transaction=True)
def test_an_officer_sees_clear_values_edits_and_rejects(browser_page, live_server):
    """Staff holding "Can view unmasked PII" see and edit the values; a
    rejection asks for a reason."""
    page = browser_page
    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from pii.profiles import deletion, services

    officer = User.objects.create_user("officer", password=PASSWORD, is_staff=True)
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
    page.fill("#id_password", PASSWORD)
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
