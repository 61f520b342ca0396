"""The benchmark generator at a tiny scale: deterministic, consistent, and usable by the pages."""

import pytest
from django.db.models import Count, F, Max

from groundbreak.benchmark.generate import SCALES, generate
from groundbreak.coordination.models import Issue, IssueResponse
from groundbreak.org.models import Area, Unit, User
from groundbreak.portfolio.models import KeyListMembership, Project
from groundbreak.reporting.models import Report, ReportingRound
from groundbreak.schedule.models import Milestone, Replan


@pytest.fixture
def tiny(db):
    return generate("tiny", seed=7, verbose=False)


def test_tiny_scale_writes_every_kind_of_row(tiny):
    scale = SCALES["tiny"]
    assert Project.objects.count() == scale.projects
    assert User.objects.count() == scale.users
    assert Milestone.objects.count() == scale.projects * 10
    assert Replan.objects.count() > 0 and Issue.objects.count() > 0 and IssueResponse.objects.count() > 0
    assert Report.objects.count() == scale.projects * 12
    # Every stage, and every issue state, is represented.
    assert Project.objects.values("stage").distinct().count() >= 5
    assert Issue.objects.values("status").distinct().count() >= 3


def test_rows_are_consistent(tiny):
    # Area paths describe the tree, as Area.save would have written them.
    for area in Area.objects.select_related("parent"):
        expected = f"{area.parent.path if area.parent else '/'}{area.pk}/"
        assert area.path == expected and area.depth == expected.count("/") - 2
    # A milestone's re-plan count is its re-plans, and its planned date the last re-plan's new date.
    counted = Milestone.objects.annotate(n=Count("replans")).exclude(n=F("replan_count"))
    assert not counted.exists()
    for milestone in Milestone.objects.filter(replan_count__gt=0).annotate(last=Max("replans__new_date"))[:50]:
        assert milestone.replans.order_by("-id").first().new_date == milestone.planned_date
    # Issue deadlines come after the day they were raised; closed issues have their dates.
    assert not Issue.objects.filter(deadline__lt=F("raised_on")).exists()
    assert not Issue.objects.filter(status="closed", closed_on__isnull=True).exists()
    # One report per project and round, each with its working version; accepted ones in force.
    assert Report.objects.values("round", "project").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    assert not Report.objects.filter(working__isnull=True).exists()
    assert not Report.objects.filter(status="accepted", accepted__isnull=True).exists()
    assert ReportingRound.objects.filter(status="open").count() == 1
    # Projects' units and memberships point at rows that exist in the right places.
    assert not Project.objects.exclude(owner_unit__kind="enterprise").exists()
    assert KeyListMembership.objects.count() >= Project.objects.count()
    assert Unit.objects.filter(kind="enterprise").count() == SCALES["tiny"].enterprises


def test_the_same_seed_gives_the_same_rows(db):
    first = generate("tiny", seed=11, verbose=False, dry=True)
    again = generate("tiny", seed=11, verbose=False, dry=True)
    other = generate("tiny", seed=12, verbose=False, dry=True)
    assert first["digest"] == again["digest"]
    assert first["digest"] != other["digest"]
    assert first["counts"] == again["counts"]
    assert not Project.objects.exists()  # a dry run writes nothing


def test_generator_refuses_a_database_with_projects(tiny):
    with pytest.raises(SystemExit):
        generate("tiny", seed=7, verbose=False)


def test_bench_users_can_sign_in_and_see_their_pages(tiny, client):
    from groundbreak.benchmark.generate import BENCH_PASSWORD

    root = Area.objects.get(parent__isnull=True)
    coordinator = User.objects.get(role="coordinator", scope_area=root)
    answer = client.post("/accounts/login/", {"username": coordinator.username, "password": BENCH_PASSWORD})
    assert answer.status_code == 302
    assert client.get("/projects/").status_code == 200
    assert client.get(f"/projects/{Project.objects.order_by('pk').first().code}/").status_code == 200
    assert client.get("/dashboard/").status_code == 200
