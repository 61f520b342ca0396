from django.contrib import admin

from groundbreak.org.security.models import AuthEvent, RoleSecurityPolicy


@admin.register(AuthEvent)
class AuthEventAdmin(admin.ModelAdmin):
    """Read-only: the sign-in record is evidence, not a record to edit."""

    list_display = ["time", "kind", "username", "user", "ip_address", "user_agent"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "time"
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleSecurityPolicy)
class RoleSecurityPolicyAdmin(admin.ModelAdmin):
    list_display = ["role", "require_totp"]
    list_editable = ["require_totp"]
