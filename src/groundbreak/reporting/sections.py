"""The reports section of the project page: latest reports, investment against plan, indicators."""

from django.db.models import Q

from groundbreak.org.permissions import has_perm
from groundbreak.portfolio.models import Project
from groundbreak.reporting.figures import investment_figures, investment_status, percent, with_indicator_progress
from groundbreak.reporting.forms import IndicatorForm
from groundbreak.reporting.lights import thresholds
from groundbreak.reporting.models import Report

LATEST = 6


def reports_section_context(request, project, page_context) -> dict:
    """Three queries whatever the number of reports and indicators."""
    today = page_context["today"]
    year = today.year
    reports = list(
        # `project_id IN (the project and its phases)`: an OR across the join to projects would
        # scan every report (0.8 s at province scale); this is two index probes.
        Report.objects.filter(project__in=Project.objects.filter(Q(pk=project.pk) | Q(parent=project)).values("pk"))
        .select_related("round__area", "project", "working", "accepted")
        .order_by("-round__period_end", "project__code")[:LATEST]
    )
    figures = (
        Project.objects.filter(pk=project.pk)
        .annotate(**investment_figures(year))
        .values("plan", "ytd", "since_start", "as_of", "time_share")[0]
    )
    indicators = list(
        with_indicator_progress(project.indicators.filter(year__gte=year - 1)).order_by("-year", "order", "id")
    )
    for indicator in indicators:
        indicator.percent = percent(indicator.achieved, indicator.target)
        indicator.ahead = indicator.met_on is not None and indicator.met_on < indicator.target_date
    return {
        "reporting_section": {
            "reports": reports,
            "figures": figures,
            "status": investment_status(figures, thresholds(page_context["light_settings"])),
            "year": year,
            "indicators": indicators,
            "indicator_form": IndicatorForm(initial={"year": year})
            if has_perm(request.user, "project.change")
            else None,
        }
    }
