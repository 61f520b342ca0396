"""Rounds: who is expected to report, completeness, closing with a snapshot that reproduces the
round's figures later whatever changed, and sending a round up to the city."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from groundbreak.portfolio.choices import Stage, Status
from groundbreak.portfolio.models import Project
from groundbreak.reporting import actions, round_actions, snapshots
from groundbreak.reporting.choices import SubmissionStatus
from groundbreak.reporting.models import ReportingPolicy, RoundSnapshot
from groundbreak.reporting.queries import completeness, completeness_by_unit
from tests.factories import AreaFactory, ProjectFactory, UnitFactory
from tests.reporting.conftest import accept, accepted_month, fill, open_month, report_of

MARCH = (datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))


def test_expected_projects_are_active_and_between_construction_and_production(rp):
    zone = AreaFactory(name="G60科创走廊", kind="zone", parent=rp.songjiang)
    make = lambda code, **kw: ProjectFactory(code=code, area=kw.pop("area", rp.songjiang), **kw)  # noqa: E731
    make("C-BUILD", stage=Stage.COMPLETED)
    make("C-PROD", stage=Stage.PRODUCTION)
    make("C-FULL", stage=Stage.FULL_PRODUCTION)
    make("C-LANDED", stage=Stage.LANDED)
    make("C-PAUSED", stage=Stage.CONSTRUCTION, status=Status.PAUSED)
    parent = make("C-PARENT", stage=Stage.CONSTRUCTION)
    make("C-PHASE", stage=Stage.CONSTRUCTION, parent=parent)
    make("C-ZONE", stage=Stage.CONSTRUCTION, area=rp.minhang, zone=zone)  # counted by its zone
    round = round_actions.open_round(
        area=rp.songjiang, period_start=MARCH[0], period_end=MARCH[1], by=rp.sj_coordinator
    )
    codes = set(round.reports.values_list("project__code", flat=True))
    assert codes == {"SJ-001", "C-BUILD", "C-PROD", "C-PHASE", "C-ZONE"}
    assert round.due_on == datetime.date(2025, 4, 5)  # five days by default
    assert round.opened_by == rp.sj_coordinator


def test_due_date_follows_the_areas_policy_and_the_next_period(rp):
    ReportingPolicy.objects.create(area=rp.city, due_days=10)
    round = round_actions.open_round(area=rp.songjiang, period_start=MARCH[0], period_end=MARCH[1], by=None)
    assert round.due_on == datetime.date(2025, 4, 10)
    assert round_actions.next_period(rp.songjiang) == (
        datetime.date(2025, 4, 1),
        datetime.date(2025, 4, 30),
        datetime.date(2025, 5, 10),
    )
    ReportingPolicy.objects.create(area=rp.minhang, frequency="quarterly")
    # No Minhang round yet: the last full quarter before 20 May 2025 is January to March, due
    # five days later by Minhang's own policy (the nearest one wins over the city's).
    assert round_actions.next_period(rp.minhang, datetime.date(2025, 5, 20)) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 3, 31),
        datetime.date(2025, 4, 5),
    )


def test_opening_is_for_coordinators_of_the_area(rp):
    with pytest.raises(PermissionDenied):
        round_actions.open_round(area=rp.songjiang, period_start=MARCH[0], period_end=MARCH[1], by=rp.owner)
    with pytest.raises(ObjectDoesNotExist):
        round_actions.open_round(area=rp.songjiang, period_start=MARCH[0], period_end=MARCH[1], by=rp.mh_coordinator)
    with pytest.raises(ValidationError):
        round_actions.open_round(area=rp.songjiang, period_start=MARCH[1], period_end=MARCH[0], by=rp.sj_coordinator)


def test_completeness_per_unit(rp):
    other_unit = UnitFactory(name="小昆山镇", area=rp.songjiang)
    for i in range(3):
        ProjectFactory(code=f"XKS-{i}", area=rp.songjiang, stage=Stage.CONSTRUCTION, responsible_unit=other_unit)
    round = open_month(rp.songjiang, 2025, 3)  # due 5 April 2025, long past: every submission is late
    accept(fill(report_of(round, rp.sj_project), "100"))
    fill(report_of(round, Project.objects.get(code="XKS-0")), "5")
    returned = fill(report_of(round, Project.objects.get(code="XKS-1")), "6")
    actions.return_report(report=returned, by=None, reason="请补充")
    totals = completeness(round.reports.all())
    assert {k: totals[k] for k in ("expected", "submitted", "accepted", "returned", "late", "missing")} == {
        "expected": 4,
        "submitted": 2,  # the accepted one and the one under review; the returned one is back with its owner
        "accepted": 1,
        "returned": 1,
        "late": 3,
        "missing": 2,
    }
    assert totals["investment"] == Decimal("100.00")
    rows = {r["unit_name"]: r for r in completeness_by_unit(round.reports.all())}
    assert (rows["松江区发改委"]["expected"], rows["松江区发改委"]["accepted"]) == (1, 1)
    assert (rows["小昆山镇"]["expected"], rows["小昆山镇"]["submitted"], rows["小昆山镇"]["missing"]) == (3, 1, 2)


def test_close_refused_while_reports_are_under_review(rp):
    round = open_month(rp.songjiang, 2025, 3)
    fill(report_of(round, rp.sj_project), "100")
    with pytest.raises(ValidationError):
        round_actions.close_round(round=round, by=rp.sj_coordinator)
    with pytest.raises(PermissionDenied):
        round_actions.close_round(round=round, by=rp.unit_member)


@pytest.fixture
def closed(rp):
    """February accepted (2,000,000), March accepted (3,500,000.50) and closed."""
    accepted_month(rp.songjiang, rp.sj_project, 2025, 2, "2000000.00", workers=180)
    march = accepted_month(rp.songjiang, rp.sj_project, 2025, 3, "3500000.50", workers=205)
    rp.march = march
    rp.snapshot_round = round_actions.close_round(round=march.round, by=rp.sj_coordinator)
    return rp


def test_snapshot_reproduces_the_round_after_later_changes(closed):
    snapshot = RoundSnapshot.objects.get(round=closed.snapshot_round)
    before = snapshots.read(snapshot)
    (row,) = before["reports"]
    assert row["project"]["name"] == "G60科创云廊二期"
    # As closed: March 3,500,000.50; year to date 2,000,000 + 3,500,000.50 = 5,500,000.50.
    assert (row["investment"], row["investment_ytd"], row["workers_on_site"]) == ("3500000.50", "5500000.50", 205)
    assert before["totals"] == {"expected": 1, "submitted": 1, "accepted": 1, "late": 1, "investment": "3500000.50"}

    # Later: the project is renamed and March is corrected to 3,000,000 after the close.
    Project.objects.filter(pk=closed.sj_project.pk).update(name="G60科创云廊（二期）")
    actions.start_correction(report=closed.march, by=closed.owner, reason="剔除预付款")
    actions.save_report(report=closed.march, by=closed.owner, values={"investment": Decimal("3000000")})
    accept(actions.submit_report(report=closed.march, by=closed.owner))

    snapshot.refresh_from_db()
    assert snapshots.read(snapshot) == before  # exactly as closed
    assert snapshots.checksum(snapshot.document) == snapshot.checksum
    live = snapshots.build(closed.snapshot_round)
    assert live["reports"][0]["investment"] == "3000000.00" and live["reports"][0]["version"] == 2


def test_altered_snapshot_is_detected(closed):
    snapshot = RoundSnapshot.objects.get(round=closed.snapshot_round)
    document = json.loads(snapshot.document)
    document["reports"][0]["investment"] = "9999999.00"
    RoundSnapshot.objects.filter(pk=snapshot.pk).update(document=snapshots.canonical(document))
    snapshot.refresh_from_db()
    with pytest.raises(ValidationError):
        snapshots.read(snapshot)


def test_acceptance_and_snapshot_are_chained_when_the_chain_exists(closed):
    chain = pytest.importorskip("groundbreak.audit.chain")
    assert hasattr(chain, "append_to_chain")
    from groundbreak.audit.models import ObjectChange

    snapshot = RoundSnapshot.objects.get(round=closed.snapshot_round)
    closed_entry = ObjectChange.objects.get(kind="reporting.round_closed")
    assert closed_entry.changes["checksum"] == snapshot.checksum
    accepted = ObjectChange.objects.filter(kind="reporting.report_accepted").order_by("seq")
    assert [e.changes["investment"] for e in accepted] == ["2000000.00", "3500000.50"]


def test_district_sends_its_closed_round_up_and_the_city_decides(closed):
    round = closed.snapshot_round
    with pytest.raises(ValidationError):
        round_actions.submit_round(round=open_month(closed.songjiang, 2025, 4), by=closed.sj_coordinator)
    submission = round_actions.submit_round(round=round, by=closed.sj_coordinator, note="3月数据")
    assert submission.to_area == closed.city and submission.checksum == round.snapshot.checksum
    with pytest.raises(ValidationError):
        round_actions.submit_round(round=round, by=closed.sj_coordinator)  # already sent
    with pytest.raises(ObjectDoesNotExist):
        round_actions.decide_submission(submission=submission, accept=True, by=closed.sj_coordinator)
    with pytest.raises(ValidationError):
        round_actions.decide_submission(submission=submission, accept=False, by=closed.coordinator)
    submission = round_actions.decide_submission(
        submission=submission, accept=False, reason="请核实投资数据", by=closed.coordinator
    )
    assert submission.status == SubmissionStatus.RETURNED
    again = round_actions.submit_round(round=round, by=closed.sj_coordinator)
    again = round_actions.decide_submission(submission=again, accept=True, by=closed.coordinator)
    assert again.status == SubmissionStatus.ACCEPTED
    assert round.submissions.count() == 2
