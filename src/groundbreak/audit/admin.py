from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from groundbreak.audit.models import ChainHeadExport, ObjectChange


class ReadOnlyAdmin(admin.ModelAdmin):
    """The change log and its exported heads are evidence, not records to edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ObjectChange)
class ObjectChangeAdmin(ReadOnlyAdmin):
    list_display = ["seq", "time", "actor_name", "source", "action", "content_type", "object_repr"]
    list_filter = ["action", "source", "content_type"]
    search_fields = ["object_repr", "actor_name", "request_id", "kind", "hash"]


@admin.register(ChainHeadExport)
class ChainHeadExportAdmin(ReadOnlyAdmin):
    list_display = ["date", "created_at", "seq", "count", "short_hash", "verified", "source"]
    list_filter = ["verified", "source"]
    search_fields = ["hash"]
    date_hierarchy = "created_at"

    @admin.display(description=_("head hash"))
    def short_hash(self, obj):
        return f"{obj.hash[:16]}…"
