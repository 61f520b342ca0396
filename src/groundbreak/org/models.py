from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from groundbreak.core.i18n import localized
from groundbreak.core.models import BilingualNameMixin, TimeStampedModel
from groundbreak.org.choices import AreaKind, Role, UnitKind


class AreaQuerySet(models.QuerySet):
    def subtree(self, area: "Area"):
        """The area and everything below it (a grant on an area covers its descendants)."""
        return self.filter(path__startswith=area.path)


class Area(BilingualNameMixin, TimeStampedModel):
    """A node of the territory tree. `path` is a materialised path ("/1/4/9/") so a subtree is
    one indexed prefix query on every database."""

    kind = models.CharField(_("kind"), max_length=20, choices=AreaKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    gb_code = models.CharField(
        _("GB/T 2260 code"),
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d{6}(\d{3})?$", _("A GB/T 2260 code has 6 (or 9) digits."))],
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]

    def save(self, *args, **kwargs):
        from django.db import transaction

        with transaction.atomic():
            if self.pk is None:
                super().save(*args, **kwargs)
                kwargs = {k: v for k, v in kwargs.items() if k != "force_insert"}
            old_path = Area.objects.filter(pk=self.pk).values_list("path", flat=True).first() or ""
            self.path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
            self.depth = self.parent.depth + 1 if self.parent else 0
            if self.parent_id and old_path and self.parent.path.startswith(old_path):
                from django.core.exceptions import ValidationError

                raise ValidationError({"parent": _("An area cannot be placed below itself.")})
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # A move carries the whole subtree along, so scoping by path prefix stays true.
                for descendant in Area.objects.filter(path__startswith=old_path).exclude(pk=self.pk).order_by("depth"):
                    descendant.save()

    def ancestors(self):
        ids = [int(p) for p in self.path.strip("/").split("/") if p]
        return Area.objects.filter(pk__in=ids).order_by("depth")


class Unit(BilingualNameMixin, TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="units")
    short_name = models.CharField(_("short name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["area__path", "name"]


class User(AbstractUser):
    """A login. Role says what one may do; scope (an area subtree and/or a unit) where."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    scope_area = models.ForeignKey(
        Area,
        verbose_name=_("scope area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The user sees the projects in this area and below it."),
    )
    scope_unit = models.ForeignKey(
        Unit,
        verbose_name=_("scope unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The user sees the projects this unit owns or is responsible for."),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        person = getattr(self, "person", None)
        return person.display_name if person is not None else (self.get_full_name() or self.username)


phone_validator = RegexValidator(r"^[0-9+\-() ]{5,20}$", _("Enter a phone number of digits, spaces, + or -."))


class Person(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    user = models.OneToOneField(
        User, verbose_name=_("login"), null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    is_leader = models.BooleanField(_("leader"), default=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_en)

    @property
    def display_title(self) -> str:
        return localized(self.title, self.title_en)

    def __str__(self) -> str:
        return self.display_name
