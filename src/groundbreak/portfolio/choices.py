from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    RESERVE = "reserve", _("reserve")
    SIGNED = "signed", _("signed")
    LANDED = "landed", _("landed")
    CONSTRUCTION = "construction", _("under construction")
    COMPLETED = "completed", _("completed")
    PRODUCTION = "production", _("in production")
    FULL_PRODUCTION = "full_production", _("full production")


STAGE_ORDER = [s.value for s in Stage]


class Status(models.TextChoices):
    ACTIVE = "active", _("active")
    PAUSED = "paused", _("paused")
    CANCELLED = "cancelled", _("cancelled")


class Category(models.TextChoices):
    INDUSTRIAL = "industrial", _("industrial")
    INFRASTRUCTURE = "infrastructure", _("infrastructure")
    LIVELIHOOD = "livelihood", _("livelihood / practical")
    URBAN_RENEWAL = "urban_renewal", _("urban renewal")
    ECOLOGY = "ecology", _("ecology")
    SOCIAL = "social", _("social")


class KeyListLevel(models.TextChoices):
    NATIONAL = "national", _("national")
    PROVINCIAL = "provincial", _("provincial")
    MUNICIPAL = "municipal", _("municipal")
    DISTRICT = "district", _("district")
    ZONE = "zone", _("zone")


class Light(models.TextChoices):
    GREEN = "green", _("green")
    YELLOW = "yellow", _("yellow")
    RED = "red", _("red")


class FigureKind(models.TextChoices):
    FLOOR_AREA = "floor_area", _("floor area")
    COMMERCIAL_AREA = "commercial_area", _("commercial floor area")
    BUILDINGS = "buildings", _("buildings")
    LAND = "land", _("land")
    CAPACITY = "capacity", _("capacity")
    LENGTH = "length", _("length")
    QUANTITY = "quantity", _("quantity")
    JOBS = "jobs", _("jobs")
    OTHER = "other", _("other")


# The unit a figure kind is usually given in, offered as the default on forms.
FIGURE_DEFAULT_UNITS = {
    FigureKind.FLOOR_AREA: "m²",
    FigureKind.COMMERCIAL_AREA: "m²",
    FigureKind.BUILDINGS: "栋",
    FigureKind.LAND: "亩",
    FigureKind.LENGTH: "km",
    FigureKind.JOBS: "人",
}
