from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    DISTRICT = "district", _("district / county")
    TOWN = "town", _("town / street")
    ZONE = "zone", _("zone / park")


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("government department")
    DISTRICT_GOVERNMENT = "district_government", _("district government")
    ZONE_COMMITTEE = "zone_committee", _("zone committee")
    ENTERPRISE = "enterprise", _("enterprise")
    HEADQUARTERS = "headquarters", _("headquarters")


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    COORDINATOR = "coordinator", _("coordinator")
    LEADER = "leader", _("leader")
    UNIT_MEMBER = "unit_member", _("unit member")
    OWNER = "owner", _("project owner")
    VIEWER = "viewer", _("viewer")
