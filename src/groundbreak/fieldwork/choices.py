from django.db import models
from django.utils.translation import gettext_lazy as _


class Result(models.TextChoices):
    PASS = "pass", _("pass")
    FAIL = "fail", _("fail")
    NOT_APPLICABLE = "na", _("not applicable")
