"""Who may call the API: personal tokens (valid, expired, revoked, read-only), the browser session
with its CSRF token, and the page where users manage their tokens."""

import datetime

from django.urls import reverse
from django.utils import timezone

from groundbreak.api.models import ApiToken
from groundbreak.api.tokens import hash_secret
from groundbreak.portfolio.models import Project
from tests.api.conftest import ApiClient


def test_a_valid_token_authenticates_and_is_marked_used(world, api):
    client = api(world.coordinator)
    assert client.get("/me").body["username"] == "coord"
    assert ApiToken.objects.get(user=world.coordinator).last_used_at is not None


def test_expired_revoked_unknown_and_missing_tokens_get_401(world, client, token_for):
    expired = token_for(world.coordinator)
    ApiToken.objects.filter(user=world.coordinator).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    revoked = token_for(world.sj_coordinator)
    ApiToken.objects.filter(user=world.sj_coordinator).update(revoked_at=timezone.now())
    for header, detail in [
        (f"Bearer {expired}", "The token has expired."),
        (f"Bearer {revoked}", "The token has been revoked."),
        ("Bearer gbt_not-a-real-token", "The token is not valid."),
        ("Bearer ", "The token is not valid."),
    ]:
        answer = ApiClient(client).call("GET", "/projects", headers={"Authorization": header})
        assert answer.status == 401, header
        assert answer.body["detail"] == detail
        assert answer.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert ApiClient(client).get("/projects").status == 401


def test_a_deactivated_users_token_stops_working(world, api):
    client = api(world.coordinator)
    world.coordinator.is_active = False
    world.coordinator.save()
    assert client.get("/me").status == 401


def test_read_only_token_reads_but_cannot_write(world, api):
    client = api(world.coordinator, read_only=True)
    assert client.get("/projects/SJ-001").status == 200
    refused = client.post("/projects/SJ-001/stage", {"to_stage": "signed"})
    assert refused.status == 403 and refused.body["type"].endswith(":read-only-token")
    assert client.patch("/projects/SJ-001", {"industry": "x"}).status == 403
    assert Project.objects.get(code="SJ-001").stage == "reserve"


def test_a_token_has_its_users_scope_and_role_not_more(world, api):
    client = api(world.mh_coordinator)
    assert client.get("/projects/SJ-001").status == 404
    assert api(world.viewer).post("/projects/SJ-001/stage", {"to_stage": "signed"}).status == 403


def test_the_session_works_with_csrf_for_writes(world, client):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.sj_coordinator)
    session = ApiClient(browser)
    assert session.get("/projects/SJ-001").status == 200
    refused = session.post("/projects/SJ-001/stage", {"to_stage": "signed"})
    assert refused.status == 403 and refused.headers["Content-Type"].startswith("application/problem+json")
    browser.get(reverse("api-tokens:list"))  # any page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    accepted = session.post("/projects/SJ-001/stage", {"to_stage": "signed"}, headers={"X-CSRFToken": token})
    assert accepted.status == 200, accepted.body


def test_token_page_creates_a_token_shown_once_and_stores_only_its_hash(world, client):
    client.force_login(world.sj_coordinator)
    url = reverse("api-tokens:list")
    page = client.get(url)
    assert page.status_code == 200 and b"API tokens" in page.content
    created = client.post(url, {"name": "周报导出", "expires_in": "30", "read_only": "on"})
    assert created.status_code == 200
    secret = created.context["secret"]
    assert secret.startswith("gbt_") and secret in created.content.decode()
    assert created["Cache-Control"].startswith("max-age=0")
    token = ApiToken.objects.get(user=world.sj_coordinator)
    assert token.key_hash == hash_secret(secret) and secret not in (token.prefix + token.name)
    assert token.read_only and token.prefix == secret[:12]
    assert (token.expires_at - timezone.now()).days in (29, 30)
    # Listed afterwards by its prefix, never the secret again.
    listed = client.get(url).content.decode()
    assert token.prefix in listed and secret not in listed
    assert ApiClient(client, secret).get("/me").status == 200


def test_token_form_refuses_bad_input(world, client):
    client.force_login(world.viewer)
    response = client.post(reverse("api-tokens:list"), {"name": "", "expires_in": "9999"})
    assert response.status_code == 200 and response.context["secret"] is None
    assert set(response.context["form"].errors) == {"name", "expires_in"}
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_and_only_the_owner_can(world, client, token_for):
    secret = token_for(world.sj_coordinator, name="导出")
    token = ApiToken.objects.get(user=world.sj_coordinator)
    url = reverse("api-tokens:revoke", args=[token.pk])
    client.force_login(world.mh_coordinator)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(world.sj_coordinator)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "导出" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(client.__class__(), secret).get("/me").status == 401


def test_token_pages_need_a_login_and_appear_in_the_navigation(world, client):
    url = reverse("api-tokens:list")
    assert client.get(url).status_code == 302
    client.force_login(world.viewer)
    assert f'href="{url}"' in client.get(reverse("my-work")).content.decode()
