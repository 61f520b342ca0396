"""The demo's reporting: a year of rounds, the seeds' figures, and a workflow in every state."""

from decimal import Decimal

from django.db.models import Count

from groundbreak.demo.load import load_demo
from groundbreak.portfolio.lights import rule_flags
from groundbreak.portfolio.models import Project
from groundbreak.reporting.figures import with_indicator_progress
from groundbreak.reporting.models import Indicator, Report, ReportingRound, ReportVersion, RoundSubmission


def test_the_demo_reports_a_year_of_progress(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert load_demo() is True
    rounds = dict(ReportingRound.objects.values_list("status").annotate(n=Count("id")))
    assert rounds == {"closed": 55, "open": 5}  # five areas, twelve months, the latest still open
    assert all(r.snapshot.checksum for r in ReportingRound.objects.filter(status="closed").select_related("snapshot"))
    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "reviewed", "returned", "accepted"}
    assert Report.objects.filter(events__kind="report.resubmitted").exists()
    assert ReportVersion.objects.filter(number=2, correction_reason__contains="预付").count() == 1
    assert RoundSubmission.objects.filter(status="submitted").exists()

    huna = Report.objects.filter(project__code="NH-HN-1").select_related("working").latest("round__period_end")
    assert huna.working.workers_on_site > 200  # "more than 200 workers on site"

    targets = {
        (i.project.code, i.target): i for i in with_indicator_progress(Indicator.objects.select_related("project"))
    }
    assert set(targets) == {
        ("MH-ST-ZL", Decimal("650")),
        ("MH-ST-LD", Decimal("80")),
        ("MH-ST-LVD", Decimal("30")),
        ("MH-ST-KDGY", Decimal("20")),
        ("MH-ST-LTLH", Decimal("30000")),
        ("MH-PJ-ZJL", Decimal("120000")),
        ("MH-QB-JXC", Decimal("1600")),
    }
    ahead = {code for (code, _t), i in targets.items() if i.met_on and i.met_on < i.target_date}
    assert len(ahead) == 5  # "5 projects have completed their annual targets ahead of schedule"

    behind = Project.objects.with_light().annotate(**rule_flags())
    red = dict(behind.filter(rule_investment_behind_red=True).values_list("code", "light"))
    assert {"SH-JCLLX", "NH-WCY-2"} <= set(red) and set(red.values()) == {"red"}
    yellow = behind.filter(rule_investment_behind_yellow=True, rule_investment_behind_red=False)
    assert "SJ-G60-YL2" in set(yellow.values_list("code", flat=True))

    assert load_demo() is False
    assert ReportingRound.objects.count() == 60
