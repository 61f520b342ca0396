"""No object of another district is reachable through lists, search, exports, form choices,
attachments or notifications.

Songjiang's records carry marker texts. The Songjiang coordinator finds every marker somewhere
(so the sweep can see them); the Minhang coordinator, the curious insider, finds none — on any page
without parameters (searched or not), in any export, in any API list, or through an attachment
URL built from one of Minhang's own records.
"""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from groundbreak.exchange.exporting import FORMATS
from groundbreak.exchange.kinds import KINDS
from groundbreak.fieldwork.actions import report_snap
from groundbreak.portfolio.models import Project
from tests.factories import EngagementFactory, IssueFactory, MilestoneFactory
from tests.fieldwork.access import _jpeg, inspection
from tests.security.access import PERSONA_ATTR, load_operations, load_pages
from tests.security.access import builders as b
from tests.security.access.coverage import api_operations
from tests.security.access.notices import notice
from tests.security.helpers import PDF

PAGES = load_pages()
OPERATIONS = load_operations()
OPS = api_operations()

# Texts that exist only in Songjiang's records (and the Songjiang coordinator's own).
SONGJIANG = {
    "project code": "SJ-001",
    "project name": "G60科创云廊",
    "project name (English)": "Kechuang",
    "engagement": "松江机密会议",
    "decision": "松江机密决定",
    "attachment": "机密纪要.pdf",
    "issue": "松江机密问题",
    "node": "松江机密节点",
    "key list": "松江机密清单",
    "snap": "松江机密随手拍",
}
# Shown only on their engagement's own page (which the matrix proves is 404 for the insider).
ONLY_ON_THEIR_PAGE = {"attachment", "decision"}
PERSONAL = {
    "notification": "松江机密通知",
    "import": "机密导入.csv",
    "token": "机密令牌",
}
SEARCHES = ("", "q=G60", "q=SJ", "q=%E6%9D%BE%E6%B1%9F")  # nothing, "G60", "SJ", "松江"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def secrets(world):
    """Songjiang's records with markers, and a Minhang engagement, issue and report of its own."""
    return _plant(world)


def _plant(w):
    engagement = b.engagement(w)
    engagement.title = SONGJIANG["engagement"]
    engagement.save()
    b.engagement_attachment(w)
    attachment = b.engagement_attachment(w)
    attachment.name = SONGJIANG["attachment"]
    attachment.save()
    decision = b.decision(w)
    decision.text = SONGJIANG["decision"]
    decision.save()
    issue = b.issue(w)
    issue.title = SONGJIANG["issue"]
    issue.save()
    b.issue_attachment(w)
    milestone = b.milestone(w)
    milestone.name = SONGJIANG["node"]
    milestone.evidence.save("approval.pdf", ContentFile(PDF))
    b.replan(w)
    key_list = b.key_list(w)
    key_list.name = SONGJIANG["key list"]
    key_list.save()
    b.photo(w)
    b.submission(w)
    b.override(w)
    notification = b.notification(w)
    notification.title = PERSONAL["notification"]
    notification.save()
    job = b.import_job(w)
    job.original_name = PERSONAL["import"]
    job.save()
    token = b.token(w)
    token.name = PERSONAL["token"]
    token.save()
    # At the very point the snap page's "nearby" is asked about.
    Project.objects.filter(pk=w.sj_project.pk).update(latitude=Decimal("31.0"), longitude=Decimal("121.2"))
    w.sj_project.refresh_from_db()
    report_snap(by=None, project=w.sj_project, text=SONGJIANG["snap"], photo=_jpeg(), latitude=31.03, longitude=121.22)
    inspection(w)
    notice(w)  # a supervision order on the Songjiang issue, to the Songjiang bureau
    # Minhang's own records, which the Minhang coordinator may open.
    w.mh_engagement = EngagementFactory(area=w.minhang, projects=[w.mh_project])
    w.mh_issue = IssueFactory(project=w.mh_project, lead_unit=w.mh_bureau)
    w.mh_milestone = MilestoneFactory(project=w.mh_project)
    return w


def _text(response) -> str:
    """What a person (or a program) reads in the response: sheets unpacked, JSON unescaped."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
        )
    if "json" in kind:
        return json.dumps(json.loads(body), ensure_ascii=False)
    return body.decode("utf-8", errors="replace")


def _lists(persona="mh_coordinator"):
    """Every page without parameters that the Minhang coordinator may open, every export, every
    API list: the places where a search or a list could show another district's records."""
    for key, page in PAGES.items():
        if page.kwargs is None and page.url is None and page.get and page.get[persona] == 200:
            yield reverse(key) + (f"?{page.query}" if page.query else "")
    for kind in KINDS:
        for fmt in FORMATS:
            yield reverse("exchange:export", kwargs={"kind": kind, "fmt": fmt})
    for opid, operation in OPERATIONS.items():
        method, route = OPS[opid]
        if method == "GET" and "{" not in route and operation.expect[persona] == 200:
            yield route


def _own_pages(w):
    """Pages of Minhang's own records, with their forms' choices (key lists, leaders, units …)."""
    code = {"code": w.mh_project.code}
    yield reverse("portfolio:project-detail", kwargs=code)
    yield reverse("portfolio:project-edit", kwargs=code)
    yield reverse("coordination:project-engagements", kwargs=code)
    yield reverse("coordination:project-instruct", kwargs=code)
    yield reverse("coordination:engagement-detail", kwargs={"pk": w.mh_engagement.pk})
    yield reverse("coordination:engagement-edit", kwargs={"pk": w.mh_engagement.pk})
    yield reverse("coordination:issue-detail", kwargs={"pk": w.mh_issue.pk})
    yield reverse("portfolio:area-detail", kwargs={"pk": w.minhang.pk})
    yield reverse("portfolio:unit-detail", kwargs={"pk": w.mh_bureau.pk})


def _sweep(client, extra=(), filters=(), markers=None, searches=SEARCHES, persona="mh_coordinator"):
    """marker → the URLs whose answer shows it. `filters` are queries naming another district's
    records, which may be refused (400, 403, 404) but must not open them."""
    markers = markers or {**SONGJIANG, **PERSONAL}
    seen: dict[str, list[str]] = {}
    for url in [*_lists(persona), *extra]:
        for query in (*searches, *filters):
            full = f"{url}{'&' if '?' in url else '?'}{query}" if query else url
            response = client.get(full, HTTP_ACCEPT="text/html,application/json")
            if query in filters and response.status_code in (400, 403, 404, 422):
                continue
            assert response.status_code == 200, f"{full}: {response.status_code}"
            # The page may repeat its own query (in links, in the search box): that is not a leak.
            text = _text(response).replace(query, "") if query else _text(response)
            for label, marker in markers.items():
                if marker in text:
                    seen.setdefault(label, []).append(full)
    return seen


def test_no_list_search_export_or_api_list_shows_another_districts_records(client, secrets):
    client.force_login(secrets.mh_coordinator)
    w = secrets
    seen = _sweep(
        client,
        _own_pages(w),
        filters=(
            f"area={w.songjiang.pk}",
            f"area_id={w.songjiang.pk}",
            f"project={w.sj_project.code}",
            f"unit={w.sj_bureau.pk}",
            f"leader={w.leader.pk}",
        ),
    )
    assert not seen, "the Minhang coordinator sees Songjiang's records:\n" + "\n".join(
        f"  {label}: {', '.join(urls[:5])}" for label, urls in seen.items()
    )


@pytest.mark.parametrize("persona", ["leader", "unit_member", "owner"])
def test_nor_for_those_bound_to_a_project_by_leadership_unit_or_ownership(client, world, persona):
    """The same records in Minhang: Songjiang's leader, bureau member and owner find none of them."""
    w = _plant(b.mirror(world))
    markers = {**SONGJIANG, **PERSONAL, "project code": w.mh_project.code, "project name": w.mh_project.name}
    del markers["project name (English)"]
    client.force_login(getattr(w, PERSONA_ATTR[persona]))
    seen = _sweep(
        client,
        filters=(f"area={w.minhang.pk}", f"project={w.mh_project.code}", f"unit={w.mh_bureau.pk}"),
        markers=markers,
        searches=("", "q=%E9%97%B5%E8%A1%8C"),  # nothing, "闵行"
        persona=persona,
    )
    assert not seen, f"the {persona} sees Minhang's records:\n" + "\n".join(
        f"  {label}: {', '.join(urls[:5])}" for label, urls in seen.items()
    )


def test_the_sweep_does_find_the_markers_where_they_may_be_seen(client, secrets):
    """The control: the Songjiang coordinator finds every marker in some list, search or export,
    so the sweep above would notice a leak."""
    secrets.sj_coordinator.refresh_from_db()
    client.force_login(secrets.sj_coordinator)
    seen = _sweep(client)
    missing = set(SONGJIANG) - ONLY_ON_THEIR_PAGE | set(PERSONAL)
    missing -= set(seen)
    assert not missing, f"markers the sweep never found: {sorted(missing)}"


def test_attachments_cannot_be_reached_through_ones_own_records(client, secrets):
    """A Songjiang file asked for under a Minhang record the insider may open is still not found."""
    w = secrets
    client.force_login(w.mh_coordinator)
    own_engagement = reverse("coordination:engagement-detail", kwargs={"pk": w.mh_engagement.pk})
    assert client.get(own_engagement).status_code == 200
    foreign = {
        "engagement attachment": reverse(
            "coordination:engagement-attachment",
            kwargs={"pk": w.mh_engagement.pk, "attachment": b.engagement_attachment(w).pk},
        ),
        "issue attachment": reverse(
            "coordination:issue-attachment", kwargs={"pk": w.mh_issue.pk, "attachment": b.issue_attachment(w).pk}
        ),
        "milestone evidence": reverse(
            "schedule:milestone-evidence", kwargs={"code": w.mh_project.code, "pk": b.milestone(w).pk}
        ),
    }
    for label, url in foreign.items():
        assert client.get(url).status_code == 404, label


def test_report_photos_cannot_be_reached_through_ones_own_report(client, secrets):
    from groundbreak.portfolio.choices import Stage
    from groundbreak.portfolio.models import Project
    from groundbreak.reporting import round_actions

    w = secrets
    Project.objects.filter(pk=w.mh_project.pk).update(stage=Stage.CONSTRUCTION)
    sj_round = b.round(w)
    mh_round = round_actions.open_round(
        area=w.minhang,
        period_start=sj_round.period_start,
        period_end=sj_round.period_end,
        due_on=sj_round.due_on,
        by=None,
    )
    mh_report = mh_round.reports.get(project=w.mh_project)
    client.force_login(w.mh_coordinator)
    assert client.get(reverse("reporting:report-detail", kwargs={"pk": mh_report.pk})).status_code == 200
    url = reverse("reporting:report-photo", kwargs={"pk": mh_report.pk, "photo": b.photo(w).pk})
    assert client.get(url).status_code == 404


def test_uploaded_files_have_no_public_url(client, secrets, settings):
    """Files are served only through the views that check scope: their storage path is not a URL."""
    w = secrets
    for path in (b.engagement_attachment(w).file.name, b.issue_attachment(w).file.name, b.photo(w).image.name):
        assert client.get(settings.MEDIA_URL + path).status_code == 404
        client.force_login(w.mh_coordinator)
        assert client.get(settings.MEDIA_URL + path).status_code == 404
        client.logout()


def test_notifications_are_their_recipients_alone(client, secrets):
    from groundbreak.notify.models import Notification

    w = secrets
    theirs = b.notification(w)
    client.force_login(w.mh_coordinator)
    bell = client.get(reverse("notify:bell"))
    assert PERSONAL["notification"] not in bell.content.decode()
    assert PERSONAL["notification"] not in client.get(reverse("notify:list")).content.decode()
    assert client.get(reverse("notify:open", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse("notify:read", kwargs={"pk": theirs.pk})).status_code == 404
    client.post(reverse("notify:read-all"))
    assert Notification.objects.get(pk=theirs.pk).read_at is None
