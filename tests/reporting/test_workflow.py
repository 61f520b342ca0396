"""The report workflow: fill in, submit, review by level, return and resubmit, accept, correct."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from groundbreak.org.choices import Role
from groundbreak.reporting import actions, round_actions
from groundbreak.reporting.choices import EventKind, Reviewer
from groundbreak.reporting.models import Report, ReviewStep
from tests.factories import UserFactory
from tests.reporting.conftest import accept, fill, open_month, report_of

FIGURES = {"investment": Decimal("1500000.00"), "physical_progress": Decimal("42.5"), "workers_on_site": 210}


@pytest.fixture
def report(rp):
    round = open_month(rp.songjiang, 2025, 3, due_days=3650)  # due far ahead: nothing is late
    return report_of(round, rp.sj_project)


def events(report):
    return list(report.events.order_by("at", "id").values_list("kind", flat=True))


def test_owner_fills_unit_reviews_coordinator_accepts(rp, report):
    actions.save_report(report=report, by=rp.owner, values=FIGURES)
    report = actions.submit_report(report=report, by=rp.owner)
    assert (report.status, report.awaiting, report.awaiting_unit_id) == (
        "submitted",
        Reviewer.RESPONSIBLE_UNIT,
        rp.sj_bureau.pk,
    )
    report = actions.approve_report(report=report, by=rp.unit_member)
    assert (report.status, report.step, report.awaiting) == ("reviewed", 1, Reviewer.COORDINATOR)
    assert report.accepted is None
    report = actions.approve_report(report=report, by=rp.sj_coordinator, note="数据与财务报表一致")
    assert report.status == "accepted"
    assert report.accepted == report.working
    assert report.accepted.investment == Decimal("1500000.00")
    assert report.accepted.accepted_by == rp.sj_coordinator
    assert events(report) == [EventKind.SUBMITTED, EventKind.REVIEWED, EventKind.ACCEPTED]


def test_return_with_reason_and_resubmit(rp, report):
    fill(report, "1500000", by=rp.owner)
    with pytest.raises(ValidationError):
        actions.return_report(report=report, by=rp.unit_member, reason="  ")
    report = actions.return_report(report=report, by=rp.unit_member, reason="本月投资与财务报表不一致")
    assert (report.status, report.return_reason, report.awaiting) == ("returned", "本月投资与财务报表不一致", "")
    actions.save_report(report=report, by=rp.owner, values={"investment": Decimal("1400000")})
    report = actions.submit_report(report=report, by=rp.owner)
    assert report.status == "submitted" and report.return_reason == ""
    assert events(report) == [EventKind.SUBMITTED, EventKind.RETURNED, EventKind.RESUBMITTED]
    returned = report.events.get(kind=EventKind.RETURNED)
    assert returned.reason == "本月投资与财务报表不一致" and returned.by == rp.unit_member


def test_coordinator_may_return_at_any_level_but_approves_only_at_theirs(rp, report):
    fill(report, "1500000", by=rp.owner)
    with pytest.raises(PermissionDenied):
        actions.approve_report(report=report, by=rp.sj_coordinator)  # the unit's level
    report = actions.return_report(report=report, by=rp.sj_coordinator, reason="请补充现场照片")
    assert report.status == "returned"


def test_wrong_role_or_unit_or_scope_is_refused(rp, report):
    fill(report, "1500000", by=rp.owner)
    with pytest.raises(PermissionDenied):
        actions.approve_report(report=report, by=rp.owner)  # owners fill, they do not review
    with pytest.raises(PermissionDenied):
        actions.save_report(report=report, by=rp.viewer, values=FIGURES)
    other_unit = UserFactory(role=Role.UNIT_MEMBER, scope_unit=rp.hq)
    with pytest.raises((PermissionDenied, ObjectDoesNotExist)):
        actions.approve_report(report=report, by=other_unit)
    with pytest.raises(ObjectDoesNotExist):
        actions.return_report(report=report, by=rp.mh_coordinator, reason="越界")  # another district
    report.refresh_from_db()
    assert report.status == "submitted" and not report.events.filter(kind=EventKind.RETURNED).exists()


def test_illegal_transitions_change_nothing(rp, report):
    with pytest.raises(ValidationError):
        actions.approve_report(report=report, by=rp.unit_member)  # a draft
    with pytest.raises(ValidationError) as error:
        actions.submit_report(report=report, by=rp.owner)  # nothing filled in
    assert "investment" in error.value.message_dict
    report = accept(fill(report, "10"))
    with pytest.raises(ValidationError):
        actions.submit_report(report=report, by=rp.owner)
    with pytest.raises(ValidationError):
        actions.save_report(report=report, by=rp.owner, values={"investment": Decimal("99")})
    report.refresh_from_db()
    assert report.accepted.investment == Decimal("10.00")


def test_late_submission_is_flagged_and_stays_flagged(rp):
    round = open_month(rp.songjiang, 2025, 3)  # due 5 April 2025: long past
    report = fill(report_of(round, rp.sj_project), "1", by=rp.owner)
    assert report.is_late
    report = actions.return_report(report=report, by=rp.unit_member, reason="请核实")
    report = actions.submit_report(report=report, by=rp.owner)
    assert report.first_submitted_on <= report.submitted_on and report.is_late


def test_review_levels_are_configured_per_area_and_inherited(rp, report):
    # One level for the whole city: the coordinators accept directly.
    ReviewStep.objects.create(area=rp.city, order=1, reviewer=Reviewer.COORDINATOR)
    report = fill(report, "10", by=rp.owner)
    assert report.awaiting == Reviewer.COORDINATOR
    report = actions.approve_report(report=report, by=rp.coordinator)
    assert report.status == "accepted"


def test_three_levels_with_a_named_unit(rp, report):
    for order, reviewer, unit in [
        (1, Reviewer.RESPONSIBLE_UNIT, None),
        (2, Reviewer.UNIT, rp.hq),
        (3, Reviewer.COORDINATOR, None),
    ]:
        ReviewStep.objects.create(area=rp.songjiang, order=order, reviewer=reviewer, unit=unit)
    hq_member = UserFactory(role=Role.UNIT_MEMBER, scope_unit=rp.hq, scope_area=rp.city)
    report = fill(report, "10", by=rp.owner)
    report = actions.approve_report(report=report, by=rp.unit_member)
    assert (report.awaiting, report.awaiting_unit) == (Reviewer.UNIT, rp.hq)
    with pytest.raises(PermissionDenied):
        actions.approve_report(report=report, by=rp.unit_member)
    report = actions.approve_report(report=report, by=hq_member)
    report = actions.approve_report(report=report, by=rp.sj_coordinator)
    assert report.status == "accepted"
    assert events(report) == [EventKind.SUBMITTED, EventKind.REVIEWED, EventKind.REVIEWED, EventKind.ACCEPTED]


def test_correction_after_acceptance_is_a_new_version(rp, report):
    report = accept(fill(report, "1500000", by=rp.owner))
    first = report.accepted
    with pytest.raises(ValidationError):
        actions.start_correction(report=report, by=rp.owner, reason="")
    second = actions.start_correction(report=report, by=rp.owner, reason="财务决算调整，剔除预付款")
    report.refresh_from_db()
    assert (second.number, report.status, report.working, report.accepted) == (2, "draft", second, first)
    assert second.investment == first.investment  # a copy to change
    actions.save_report(report=report, by=rp.owner, values={"investment": Decimal("1200000")})
    first.refresh_from_db()
    assert first.investment == Decimal("1500000.00")  # the accepted figures are never overwritten
    actions.submit_report(report=report, by=rp.owner)
    report = actions.approve_report(report=report, by=rp.unit_member)
    report.refresh_from_db()
    assert report.accepted == first  # still in force while the correction is reviewed
    report = actions.approve_report(report=report, by=rp.sj_coordinator)
    assert report.accepted == second and report.accepted.investment == Decimal("1200000.00")
    assert list(report.versions.values_list("number", "investment")) == [
        (1, Decimal("1500000.00")),
        (2, Decimal("1200000.00")),
    ]
    assert EventKind.CORRECTION in events(report)


def test_closed_round_takes_corrections_only(rp, report):
    accepted = accept(fill(report, "100", by=rp.owner))
    other = report_of(open_month(rp.minhang, 2025, 3), rp.mh_project)
    round_actions.close_round(round=accepted.round, by=rp.sj_coordinator)
    round_actions.close_round(round=other.round, by=rp.mh_coordinator)
    with pytest.raises(ValidationError):
        actions.save_report(report=other, by=None, values=FIGURES)
    actions.start_correction(report=accepted, by=rp.owner, reason="补报")
    actions.save_report(report=accepted, by=rp.owner, values={"investment": Decimal("120")})
    accept(actions.submit_report(report=accepted, by=rp.owner))
    accepted.refresh_from_db()
    assert accepted.accepted.investment == Decimal("120.00")


def test_indicator_values_only_for_the_projects_targets_of_the_year(rp, report):
    from tests.factories import IndicatorFactory

    mine = IndicatorFactory(project=rp.sj_project, year=2025)
    other_year = IndicatorFactory(project=rp.sj_project, year=2024)
    actions.save_report(report=report, by=rp.owner, values=FIGURES, indicator_values={mine: Decimal("120")})
    with pytest.raises(ValidationError):
        actions.save_report(report=report, by=rp.owner, values=FIGURES, indicator_values={other_year: Decimal("1")})
    report.refresh_from_db()
    assert [(v.indicator, v.value) for v in report.working.indicator_values.all()] == [(mine, Decimal("120.00"))]


def test_photo_is_checked(rp, report, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        actions.add_photo(report=report, by=rp.owner, image=SimpleUploadedFile("site.exe", b"MZ\x90\x00"))
    png = _png()
    photo = actions.add_photo(report=report, by=rp.owner, image=SimpleUploadedFile("工地.png", png), caption="基坑")
    assert photo.image.name.endswith(".png") and photo.caption == "基坑"
    fill(report, "1", by=rp.owner)
    with pytest.raises(ValidationError):
        actions.add_photo(report=report, by=rp.owner, image=SimpleUploadedFile("b.png", png))


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def test_report_belongs_to_one_round_per_period(rp):
    city_round = open_month(rp.city, 2025, 3)
    assert Report.objects.filter(round=city_round).count() == 2
    district_round = open_month(rp.songjiang, 2025, 3)
    assert not district_round.reports.exists()  # already expected in the city's round
    with pytest.raises(ValidationError):
        open_month(rp.city, 2025, 3)


def test_set_indicator_needs_project_change_in_scope(rp):
    fields = {"name": "新建绿道", "unit": "km", "target": Decimal("30"), "year": 2025}
    with pytest.raises(PermissionDenied):
        actions.set_indicator(project=rp.sj_project, by=rp.owner, **fields)
    with pytest.raises(ObjectDoesNotExist):
        actions.set_indicator(project=rp.sj_project, by=rp.mh_coordinator, **fields)
    indicator = actions.set_indicator(project=rp.sj_project, by=rp.sj_coordinator, **fields)
    assert indicator.target_date == datetime.date(2025, 12, 31)
