"""Abstract base models shared by the domain apps (no domain models here)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from groundbreak.core.i18n import localized


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class BilingualNameMixin(models.Model):
    """A Chinese name with an optional English one; `display_name` picks by active language."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_en)

    def __str__(self) -> str:
        return self.display_name
