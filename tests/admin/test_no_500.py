"""The back office never answers 500, whatever a URL carries (issue 11, item 4):
odd page numbers, object ids with NUL or other bytes no id has, for every
registered ModelAdmin. A 4xx, a redirect or a page is fine; a 5xx is not."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern

from pii.models import Profile
from tests.support import ADMIN_PROFILES_URL, change_form_data

ODD_OBJECT_IDS = ["%00", "a%00b", "NS-EU-%00", "%ED%A0%80", "%FF", "0", "-1", "9" * 30, "x" * 300]
ODD_PAGES = ["-1", "0", "abc", "99999", "1.5", "%00", ""]
ODD_SEARCHES = ["%00", "jane%00", "%ED%A0%80", "ja"]


@pytest.fixture
def superuser_client(db: None) -> Client:
    user = User.objects.create_superuser("root", "root@example.invalid", "pw")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _object_urls() -> list[str]:
    """Every URL of every registered ModelAdmin that takes an object id, with
    `{id}` where the id goes."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern):
                continue
            route = str(pattern.pattern)
            if "<path:object_id>" in route or "<object_id>" in route:
                suffix = route.replace("<path:object_id>", "{id}").replace("<object_id>", "{id}")
                urls.append(prefix + suffix.lstrip("^").rstrip("$"))
    return urls


def _list_urls() -> list[str]:
    return [
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in admin.site._registry
    ]


def test_the_walk_covers_every_registered_admin():
    urls = _object_urls()

    for model in admin.site._registry:
        assert any(f"/{model._meta.model_name}/" in url for url in urls), model


@pytest.mark.parametrize("object_id", ODD_OBJECT_IDS)
@pytest.mark.django_db
def test_no_object_url_answers_a_server_error(superuser_client, object_id):
    failures = []
    for template in _object_urls():
        url = template.replace("{id}", object_id)
        for method in ("get", "post"):
            status = getattr(superuser_client, method)(url).status_code
            if status >= 500:
                failures.append((method, url, status))

    assert failures == []


@pytest.mark.parametrize(
    "query", [*(f"p={page}" for page in ODD_PAGES), *(f"q={term}" for term in ODD_SEARCHES)]
)
@pytest.mark.django_db
def test_no_list_page_number_or_search_answers_a_server_error(superuser_client, query):
    failures = []
    for url in _list_urls():
        status = superuser_client.get(f"{url}?{query}").status_code
        if status >= 500:
            failures.append((url, status))

    assert failures == []


@pytest.mark.parametrize("page", ["-1", "0", "abc", "99999"])
@pytest.mark.django_db
def test_a_profile_search_on_an_odd_page_answers_a_page_or_a_redirect(
    superuser_client, make_profile, monkeypatch, page
):
    # A search result of several pages: the page number reaches the pagination.
    monkeypatch.setattr(admin.site._registry[Profile], "list_per_page", 2)
    for i in range(5):
        make_profile(email=f"jane{i}@example.com", full_name="Jane Doe")

    response = superuser_client.get(f"{ADMIN_PROFILES_URL}?q=jane&p={page}")

    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_an_object_id_with_nul_answers_not_found(superuser_client, make_profile):
    make_profile()

    response = superuser_client.get("/admin/pii/profile/%00/change/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "attributes",
    [
        '{"note": {"data_type": "string", "value": "\\ud800"}}',
        '{"\\udfff": {"data_type": "string", "value": "x"}}',
    ],
)
@pytest.mark.django_db
def test_extended_attributes_with_text_no_database_can_hold_are_a_form_error(
    superuser_client, make_profile, attributes
):
    profile = make_profile()
    url = f"{ADMIN_PROFILES_URL}{profile.pk}/change/"
    page = superuser_client.get(url)

    response = superuser_client.post(url, change_form_data(page, extended_attributes=attributes))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["extended_attributes"]
    assert Profile.objects.get(pk=profile.pk).updated_at == profile.updated_at
