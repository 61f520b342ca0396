"""The time-node section of the project page."""

from groundbreak.org.permissions import has_perm
from groundbreak.schedule.forms import MilestoneForm
from groundbreak.schedule.models import MilestoneTemplate, ReplanReason
from groundbreak.schedule.queries import project_milestones


def milestone_section_context(request, project, page_context) -> dict:
    context = project_milestones(request.user, project, page_context["today"], page_context["light_settings"])
    if has_perm(request.user, "milestone.replan"):
        context["replan_reasons"] = list(ReplanReason.objects.all())
    if has_perm(request.user, "milestone.create"):
        context["templates"] = list(MilestoneTemplate.objects.all())
        context["milestone_form"] = MilestoneForm(project=project)
    return context
