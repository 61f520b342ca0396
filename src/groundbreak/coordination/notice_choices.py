"""Choices of printable notices (提示单、督办单、联系单、报告单), kept apart from `choices` so the
notices can grow without touching the issue workflow's own choices."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("reminder")
    SUPERVISION = "supervision", _("supervision order")
    LIAISON = "liaison", _("liaison note")
    REPORT = "report", _("report")


# The word that opens a notice's number: 督办〔2026〕12号. Chinese on purpose: it is the official
# numbering of the document, printed the same in every language (the English page shows its own
# rendering beside it, see `Notice.display_number`).
NUMBER_PREFIX = {
    NoticeKind.REMINDER: "提示",
    NoticeKind.SUPERVISION: "督办",
    NoticeKind.LIAISON: "联系",
    NoticeKind.REPORT: "报告",
}

# Kinds a coordinator issues to a unit; a report is the unit's written answer.
COORDINATOR_KINDS = (NoticeKind.REMINDER, NoticeKind.SUPERVISION, NoticeKind.LIAISON)
# Kinds that chase the unit's own work: every issue they name must be assigned to the addressee.
CHASING_KINDS = (NoticeKind.REMINDER, NoticeKind.SUPERVISION)


class NoticeStatus(models.TextChoices):
    AWAITING = "awaiting", _("awaiting reply")
    REPLIED = "replied", _("replied")
    FILED = "filed", pgettext_lazy("notice status", "filed")
