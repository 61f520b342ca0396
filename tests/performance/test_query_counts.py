"""Every list, detail and dashboard page and every API list endpoint runs a pinned number of SQL
queries, the same on benchmark data of two sizes (tiny, and three times that): a page that starts
querying per row, or gains queries, fails here before it reaches the benchmark.

When a change adds a query on purpose, raise its pin in PINS and say why in the commit. (Every
scoped page and endpoint reads the ids of the user's areas and linked leaders once:
org.scoping.scope_ids.)
"""

import pytest
from django.core.cache import caches
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from groundbreak.benchmark.generate import generate
from groundbreak.coordination.models import Engagement, Issue
from groundbreak.org.models import Area, Person, Unit, User
from groundbreak.portfolio.models import KeyList, Project
from groundbreak.reporting.models import Report, ReportingRound

# The most queries each page may run (session, user and permission lookups included).
PINS = {
    "project list": 15,
    "project list: stage": 15,
    "project list: light": 15,
    "project list: search": 15,
    "project list: key list + category": 16,
    "project list: area, sorted": 16,
    "project list: district": 15,
    "project list: unit member": 14,
    "project list: owner": 14,
    "project list: leader": 15,
    "project detail": 28,
    "project detail: district": 26,
    "project engagements": 7,
    "key lists": 7,
    "key list detail": 15,
    # Computing the figures; two more than before they were kept: the scope's ids (which every
    # scoped page reads) and the change log's head (insight.kept_figures).
    "dashboard": 28,
    "dashboard: district": 26,
    # Showing the kept figures again: the filter form and the head.
    "dashboard: kept": 12,
    "battle map": 13,
    "leaders compared": 12,
    "leader detail": 16,
    "supervision board": 15,
    "supervision inbox": 8,
    "engagement list": 10,
    "engagement detail": 27,
    "issue detail": 13,
    "report queue": 8,
    "round list": 7,
    "round detail": 14,
    "rollup": 13,
    "report detail": 16,
    "re-plan queue": 7,
    "my work": 11,
    "areas": 7,
    "area detail": 15,
    "units": 7,
    "unit detail": 13,
    "people": 7,
    "person detail": 14,
    "API projects": 7,
    "API projects: filtered": 7,
    "API project": 11,
    "API milestones": 6,
    "API project milestones": 7,
    "API key lists": 5,
    "API key list members": 9,
    "API areas": 5,
    "API units": 5,
    "API people": 5,
    "API re-plans": 5,
    "API issues": 5,
    "API issue": 7,
    "API reports": 5,
    "API report": 5,
}

_seen: dict[str, dict[str, int]] = {}


def _pages():
    root = Area.objects.get(parent__isnull=True)
    district = Area.objects.filter(kind="district").order_by("pk").first()
    # The richest project: phases, issues and engagements, so every part of its page has rows.
    rich = Project.objects.filter(parent__isnull=True, issues__isnull=False).order_by("pk")
    project = (
        rich.filter(phases__isnull=False, engagements__isnull=False).first()
        or rich.filter(phases__isnull=False).first()
        or rich.first()
    )
    key_list = KeyList.objects.order_by("-year", "pk").first()
    leader = Person.objects.filter(is_leader=True, led_projects__isnull=False).order_by("pk").first()
    unit = Unit.objects.filter(responsible_projects__isnull=False).order_by("pk").first()
    round_ = ReportingRound.objects.order_by("pk").first()
    report = Report.objects.filter(project=project).order_by("pk").first()
    engagement = Engagement.objects.order_by("pk").first()
    # The issue with the longest history (responses, events), so its page has rows everywhere.
    issue = Issue.objects.annotate(n=Count("responses") + Count("events")).order_by("-n", "pk").first()
    code = project.code
    c, d, u, o, lead = "coordinator", "district", "unit", "owner", "leader"
    return (
        root,
        district,
        [
            ("project list", c, "/projects/"),
            ("project list: stage", c, "/projects/?stage=construction&stage=landed"),
            ("project list: light", c, "/projects/?light=red"),
            ("project list: search", c, "/projects/?q=项目"),
            ("project list: key list + category", c, f"/projects/?key_list={key_list.pk}&category=industrial"),
            ("project list: area, sorted", c, f"/projects/?area={district.pk}&sort=-investment"),
            ("project list: district", d, "/projects/"),
            ("project list: unit member", u, "/projects/"),
            ("project list: owner", o, "/projects/"),
            ("project list: leader", lead, "/projects/"),
            ("project detail", c, f"/projects/{code}/"),
            (
                "project detail: district",
                d,
                f"/projects/{Project.objects.filter(area=district).order_by('pk').first().code}/",
            ),
            ("project engagements", c, f"/projects/{code}/engagements/"),
            ("key lists", c, "/key-lists/"),
            ("key list detail", c, f"/key-lists/{key_list.pk}/"),
            ("dashboard", c, "/dashboard/"),
            ("dashboard: district", d, "/dashboard/"),
            ("dashboard: kept", c, "/dashboard/"),
            ("battle map", c, "/map/"),
            ("leaders compared", c, "/leaders/compare/"),
            ("leader detail", c, f"/leaders/{leader.pk}/"),
            ("supervision board", c, "/supervision/"),
            ("supervision inbox", u, "/supervision/inbox/"),
            ("engagement list", c, "/engagements/"),
            ("engagement detail", c, f"/engagements/{engagement.pk}/"),
            ("issue detail", c, f"/issues/{issue.pk}/"),
            ("report queue", u, "/reports/"),
            ("round list", c, "/reports/rounds/"),
            ("round detail", c, f"/reports/rounds/{round_.pk}/"),
            ("rollup", c, "/reports/rollup/"),
            ("report detail", c, f"/reports/{report.pk}/"),
            ("re-plan queue", c, "/replans/"),
            ("my work", u, "/my-work/"),
            ("areas", c, "/areas/"),
            ("area detail", c, f"/areas/{district.pk}/"),
            ("units", c, "/units/"),
            ("unit detail", c, f"/units/{unit.pk}/"),
            ("people", c, "/people/"),
            ("person detail", c, f"/people/{leader.pk}/"),
            ("API projects", "token", "/api/v1/projects?limit=100"),
            ("API projects: filtered", "token", "/api/v1/projects?limit=100&stage=construction"),
            ("API project", "token", f"/api/v1/projects/{code}"),
            ("API milestones", "token", "/api/v1/milestones?limit=100"),
            ("API project milestones", "token", f"/api/v1/projects/{code}/milestones?limit=100"),
            ("API key lists", "token", "/api/v1/key-lists?limit=100"),
            ("API key list members", "token", f"/api/v1/key-lists/{key_list.pk}/memberships?limit=100"),
            ("API areas", "token", "/api/v1/areas?limit=100"),
            ("API units", "token", "/api/v1/units?limit=100"),
            ("API people", "token", "/api/v1/people?limit=100"),
            ("API re-plans", "token", "/api/v1/replans?limit=100"),
            ("API issues", "token", "/api/v1/issues?limit=100"),
            ("API issue", "token", f"/api/v1/issues/{issue.pk}"),
            ("API reports", "token", "/api/v1/reports?limit=100"),
            ("API report", "token", f"/api/v1/reports/{report.pk}"),
        ],
    )


def _clients(root, district):
    from groundbreak.api.tokens import create_token

    coordinator = User.objects.get(role="coordinator", scope_area=root)
    users = {
        "coordinator": coordinator,
        "district": User.objects.get(role="coordinator", scope_area=district),
        "unit": User.objects.filter(role="unit_member", scope_unit__responsible_projects__isnull=False)
        .order_by("pk")
        .first(),
        "owner": User.objects.filter(role="owner", scope_unit__owned_projects__isnull=False).order_by("pk").first(),
        "leader": User.objects.filter(person__led_projects__isnull=False).order_by("pk").first(),
    }
    users["unit"] = users["unit"] or User.objects.filter(role="unit_member").order_by("pk").first()
    users["owner"] = users["owner"] or User.objects.filter(role="owner").order_by("pk").first()
    clients = {}
    for name, user in users.items():
        assert user is not None, name
        client = Client()
        client.force_login(user)
        clients[name] = client
    _token, secret = create_token(user=coordinator, name="pins", expires_at=None)
    clients["token"] = Client(headers={"Authorization": f"Bearer {secret}"})
    return clients


def _clock(sql: str) -> bool:
    """The session's last-seen time is written at most once a minute (org.security.sessions): a
    page that a slow database keeps busy past a minute writes it during the measured request. That
    write, and the savepoints around it, depend on the clock, not on the page."""
    text = sql.lstrip().upper()
    return text.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")) or (
        "DJANGO_SESSION" in text and not text.startswith("SELECT")
    )


# Pages measured as shown a second time, from the figures the first request kept.
KEPT = {"dashboard: kept"}


def measure_all() -> dict[str, int]:
    root, district, pages = _pages()
    clients = _clients(root, district)
    counts = {}
    for name, who, url in pages:
        client = clients[who]
        client.get(url)  # first request of a client may load caches (languages, settings rows)
        if name not in KEPT:
            caches["figures"].clear()  # the dashboards computed, not shown again from the first request
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, f"{name}: {url} answered {response.status_code}"
        counts[name] = len([q for q in ctx.captured_queries if not _clock(q["sql"])])
    return counts


@pytest.mark.parametrize("scale", ["tiny", "tiny3"])
def test_query_counts_are_pinned_and_do_not_grow_with_the_data(db, scale):
    generate(scale, seed=5, verbose=False)
    counts = measure_all()
    _seen[scale] = counts
    over = {name: (n, PINS.get(name)) for name, n in counts.items() if PINS.get(name) is None or n > PINS[name]}
    assert not over, f"queries above the pin (measured, pin): {over}"
    if scale == "tiny3" and "tiny" in _seen:
        # One more is a prefetch that runs only once there are rows to prefetch for (the co-units
        # of a project's issues, a queue's second page); a query per row would add dozens.
        grew = {name: (_seen["tiny"][name], n) for name, n in counts.items() if n > _seen["tiny"][name] + 1}
        assert not grew, f"queries grew with three times the data (tiny, tiny3): {grew}"


# The engagements API (api/engagements.py), pinned the same way at the same two sizes.
ENGAGEMENT_API_PINS = {"API engagements": 7, "API engagements: filtered": 7, "API engagement": 9}


@pytest.mark.parametrize("scale", ["tiny", "tiny3"])
def test_engagement_api_query_counts_are_pinned(db, scale):
    generate(scale, seed=5, verbose=False)
    root, district, _pages_ = _pages()
    client = _clients(root, district)["token"]
    engagement = Engagement.objects.annotate(n=Count("issues")).order_by("-n", "pk").first()
    urls = {
        "API engagements": "/api/v1/engagements?limit=100",
        "API engagements: filtered": "/api/v1/engagements?limit=100&kind=office_meeting&sort=title",
        "API engagement": f"/api/v1/engagements/{engagement.pk}",
    }
    counts = {}
    for name, url in urls.items():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, f"{name}: {url} answered {response.status_code}"
        counts[name] = len([q for q in ctx.captured_queries if not _clock(q["sql"])])
    over = {name: (n, ENGAGEMENT_API_PINS[name]) for name, n in counts.items() if n > ENGAGEMENT_API_PINS[name]}
    assert not over, f"queries above the pin (measured, pin): {over}"
