from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from groundbreak.org.choices import Role
from groundbreak.org.models import Area, Person, Unit, User


def _administrators_only(request) -> bool:
    """The admin is for administrators only, whatever staff flag another role carries."""
    user = request.user
    return user.is_active and user.is_staff and (user.is_superuser or user.role == Role.ADMINISTRATOR)


admin.site.has_permission = _administrators_only
admin.site.site_header = _("Groundbreak administration")
admin.site.site_title = _("Groundbreak")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind", "gb_code", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "gb_code"]
    autocomplete_fields = ["parent"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind", "area"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "short_name"]
    autocomplete_fields = ["area"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "title", "unit", "is_leader", "user"]
    list_filter = ["is_leader"]
    search_fields = ["name", "name_en", "title"]
    autocomplete_fields = ["unit", "user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "scope_area", "scope_unit", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    autocomplete_fields = ["scope_area", "scope_unit"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role and scope"), {"fields": ["role", "scope_area", "scope_unit", "language"]}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Role and scope"), {"fields": ["role", "scope_area", "scope_unit"]}),
    )
