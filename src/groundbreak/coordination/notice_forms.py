"""Forms and the list filter of notices; the drop-downs are narrowed to what the user may choose."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groundbreak.coordination.models import Issue, Notice
from groundbreak.coordination.notice_choices import COORDINATOR_KINDS, NoticeKind, NoticeStatus
from groundbreak.coordination.queries import visible_issues
from groundbreak.org.choices import UnitKind
from groundbreak.org.models import Unit
from groundbreak.org.permissions import sees_everything
from groundbreak.portfolio.forms import DateInput


class IssueChoiceField(forms.ModelMultipleChoiceField):
    """Issues as check boxes, each named with its project, lead unit and deadline."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, issue: Issue) -> str:
        unit = issue.lead_unit.display_name if issue.lead_unit else _("not assigned yet")
        deadline = issue.deadline.isoformat() if issue.deadline else "—"
        return f"{issue.project.code} · {issue.title} ({unit}, {deadline})"


def addressable_units(user):
    """Units a coordinator may address: those of their area subtree, and those assigned to issues
    they see."""
    units = Unit.objects.order_by("area__path", "name")
    if sees_everything(user):
        return units
    issues = visible_issues(user)
    condition = Q(pk__in=issues.values("lead_unit")) | Q(
        pk__in=Issue.co_units.through.objects.filter(issue__in=issues.values("pk")).values("unit")
    )
    if user.scope_area_id:
        condition |= Q(area__path__startswith=user.scope_area.path)
    if user.scope_unit_id:
        condition |= Q(pk=user.scope_unit_id)
    return units.filter(condition)


def report_addressees(user):
    """Where a unit sends a report: the headquarters, and the units that sent it notices."""
    issuers = Notice.objects.filter(addressee=user.scope_unit_id).values("issuer_unit")
    return Unit.objects.filter(Q(kind=UnitKind.HEADQUARTERS) | Q(pk__in=issuers)).order_by("area__path", "name")


class NoticeForm(forms.Form):
    """A coordinator's reminder, supervision order or liaison note."""

    kind = forms.ChoiceField(label=_("Kind"), choices=[(k.value, k.label) for k in COORDINATOR_KINDS])
    addressee = forms.ModelChoiceField(label=_("Addressed to"), queryset=Unit.objects.none())
    reply_by = forms.DateField(label=_("Reply by"), widget=DateInput())
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Leave it blank to print the standard wording of the kind."),
    )
    issues = IssueChoiceField(label=_("Issues concerned"), queryset=Issue.objects.none())

    def __init__(self, *args, user, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addressee"].queryset = addressable_units(user)
        self.fields["issues"].queryset = candidates
        self.fields["reply_by"].widget.attrs["min"] = timezone.localdate().isoformat()


class ReportForm(forms.Form):
    """A unit's written report (报告单), answering a notice or on its own issues."""

    addressee = forms.ModelChoiceField(label=_("Addressed to"), queryset=Unit.objects.none())
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("What the unit reports"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was done on each issue, what is left, and when it will be finished."),
    )
    issues = IssueChoiceField(label=_("Issues reported on"), queryset=Issue.objects.none())

    def __init__(self, *args, user, candidates, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issues"].queryset = candidates
        if answers is not None and answers.issuer_unit_id:
            # The answer goes back to whoever sent the notice.
            del self.fields["addressee"]
        else:
            self.fields["addressee"].queryset = report_addressees(user)


class ReplyForm(forms.Form):
    """A coordinator records a reply that came on paper, by phone or at a meeting."""

    on = forms.DateField(label=_("Replied on"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("How the unit replied"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=NoticeKind.choices, empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=NoticeStatus.choices, empty_label=_("Any status"))
    overdue = django_filters.BooleanFilter(
        label=_("Reply overdue only"), method="filter_overdue", widget=forms.CheckboxInput
    )

    # Set by the link from an issue page, not offered in the form.
    issue = django_filters.NumberFilter(method="filter_issue", widget=forms.HiddenInput)

    class Meta:
        model = Notice
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(subject__icontains=value)
            | Q(addressee__name__icontains=value)
            | Q(addressee__name_en__icontains=value)
            | Q(issuer_unit__name__icontains=value)
        )

    def filter_issue(self, queryset, name, value):
        return queryset.filter(pk__in=Notice.issues.through.objects.filter(issue=value).values("notice"))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status=NoticeStatus.AWAITING, reply_by__lt=timezone.localdate())
