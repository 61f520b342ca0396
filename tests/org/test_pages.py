"""Language choice, the admin's door, and the directory pages' scoping."""

from django.urls import reverse


def test_language_switch_is_remembered_for_the_user(client, world):
    client.force_login(world.coordinator)
    response = client.post(reverse("org:set-language"), {"language": "en", "next": "/projects/"})
    assert response.status_code == 302 and response["Location"] == "/projects/"
    world.coordinator.refresh_from_db()
    assert world.coordinator.language == "en"
    # The saved choice wins over the browser's preference.
    body = client.get(reverse("portfolio:project-list"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Projects" in body


def test_browser_language_then_site_default(client, world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(world.viewer)
    response = client.get(reverse("portfolio:project-list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "en"
    client.cookies.clear()
    client.force_login(world.viewer)
    response = client.get(reverse("portfolio:project-list"), HTTP_ACCEPT_LANGUAGE="")
    assert response.headers["Content-Language"] == "zh-hans"


def test_language_switch_refuses_unknown_language_and_foreign_redirects(client, world):
    client.force_login(world.viewer)
    assert client.post(reverse("org:set-language"), {"language": "xx"}).status_code == 404
    response = client.post(reverse("org:set-language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_admin_is_for_administrators_only(client, world):
    world.coordinator.is_staff = True
    world.coordinator.save()
    client.force_login(world.coordinator)
    assert client.get("/admin/").status_code == 302  # sent to the admin login
    client.force_login(world.admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/portfolio/project/").status_code == 200


def test_directory_pages_follow_scope(client, world):
    client.force_login(world.mh_coordinator)
    assert client.get(reverse("portfolio:area-detail", args=[world.songjiang.pk])).status_code == 404
    assert client.get(reverse("portfolio:area-detail", args=[world.minhang.pk])).status_code == 200
    assert client.get(reverse("portfolio:unit-detail", args=[world.sj_bureau.pk])).status_code == 404
    assert client.get(reverse("portfolio:person-detail", args=[world.leader.pk])).status_code == 404
    body = client.get(reverse("portfolio:person-list")).content.decode()
    assert "王明" not in body
    client.force_login(world.sj_coordinator)
    body = client.get(reverse("portfolio:person-detail", args=[world.leader.pk])).content.decode()
    assert "SJ-001" in body
    assert client.get(reverse("portfolio:unit-detail", args=[world.sj_bureau.pk])).status_code == 200
