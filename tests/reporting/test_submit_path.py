"""Report submission through its page: refusals, the change-log entry it writes, and a bounded
number of queries (the deadline-day case: many owners submitting at once, issue 6)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groundbreak.audit.chain import verify
from groundbreak.audit.models import ObjectChange
from groundbreak.reporting import actions
from groundbreak.reporting.models import Report
from tests.reporting.conftest import open_month, report_of

# The page's own queries are 13 on the city bench data (SQLite and PostgreSQL; 17 before the
# submission read the report once): session, user, transaction start, the report locked with its
# scope check, the event, the review levels, the stored light's read of its inputs, the report's
# UPDATE, the actor's name, the chain head (lock, entry, head update), transaction end. Here the
# middleware adds four (second-factor device and policy, the session saved with the message and
# its savepoints), and the scope's ids one (org.scoping.scope_ids: the user's areas and leaders,
# named by id in the locked read's scope check).
SUBMIT_QUERIES = 19


@pytest.fixture
def draft(rp):
    round = open_month(rp.songjiang, 2025, 3, due_days=3650)
    report = report_of(round, rp.sj_project)
    actions.save_report(
        report=report, by=rp.owner, values={"investment": Decimal("1500000"), "physical_progress": Decimal("40")}
    )
    rp.report = report
    return rp


def _submit(client, report):
    return client.post(reverse("reporting:report-submit", args=[report.pk]), {"note": ""})


def test_submit_page_runs_a_bounded_number_of_queries(client, draft):
    client.force_login(draft.owner)
    with CaptureQueriesContext(connection) as ctx:
        response = _submit(client, draft.report)
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:report-detail", args=[draft.report.pk])
    assert len(ctx.captured_queries) <= SUBMIT_QUERIES, "\n".join(q["sql"][:200] for q in ctx.captured_queries)
    report = Report.objects.get(pk=draft.report.pk)
    assert (report.status, report.awaiting, report.awaiting_unit_id) == (
        "submitted",
        "responsible_unit",
        draft.sj_project.responsible_unit_id,
    )


def test_submit_logs_the_change_as_a_separate_read_would(client, draft):
    client.force_login(draft.owner)
    _submit(client, draft.report)
    entry = ObjectChange.objects.filter(object_id=str(draft.report.pk), action="update").order_by("-seq").first()
    unit = draft.sj_project.responsible_unit
    assert entry.changes["status"] == {"before": "draft", "after": "submitted"}
    assert entry.changes["awaiting_unit"]["before"] is None
    assert entry.changes["awaiting_unit"]["after"] == unit.pk
    assert set(entry.changes["awaiting_unit"]["after_label"].values()) <= {str(unit), unit.name, unit.name_en}
    assert entry.actor_id == draft.owner.pk and entry.parent_object_id == str(draft.sj_project.pk)
    assert verify().ok


def test_submit_refusals(client, draft):
    url = reverse("reporting:report-submit", args=[draft.report.pk])
    client.force_login(draft.mh_coordinator)  # out of scope, may fill reports
    assert client.post(url, {"note": ""}).status_code == 404
    client.force_login(draft.viewer)  # in scope, may not fill reports
    assert client.post(url, {"note": ""}).status_code == 403
    assert client.post(reverse("reporting:report-submit", args=[10**9]), {"note": ""}).status_code == 404
    assert Report.objects.get(pk=draft.report.pk).status == "draft"


def test_a_second_submission_is_refused_with_a_notice(client, draft):
    client.force_login(draft.owner)
    _submit(client, draft.report)
    logged = ObjectChange.objects.count()
    response = _submit(client, draft.report)
    assert response.status_code == 302
    assert Report.objects.get(pk=draft.report.pk).status == "submitted"
    assert ObjectChange.objects.count() == logged
