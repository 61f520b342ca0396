from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groundbreak.notify.choices import DeliveryStatus
from groundbreak.notify.delivery import enqueue_sending
from groundbreak.notify.models import DailyRun, Delivery, Notification, Webhook


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what was sent: evidence, not something to edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "area", "unit", "user", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "url"]
    autocomplete_fields = ["area", "unit", "user"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def get_form(self, request, obj=None, **kwargs):
        from django import forms

        form = super().get_form(request, obj, **kwargs)
        # Masked on screen; an administrator replaces it rather than reads it.
        form.base_fields["secret"].widget = forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"})
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "channel", "target", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["target", "idempotency_key", "notification__title"]
    list_select_related = ["notification"]
    actions = ["retry_now"]

    @admin.action(description=_("Retry the selected failed deliveries now"))
    def retry_now(self, request, queryset):
        count = queryset.filter(status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), claim_token=""
        )
        if count:
            enqueue_sending()
        messages.success(
            request, ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", count) % {"n": count}
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "dedup_key", "recipient__username"]
    list_select_related = ["recipient__person"]


@admin.register(DailyRun)
class DailyRunAdmin(ReadOnlyAdmin):
    list_display = ["date", "name", "result", "started_at", "finished_at"]
    list_filter = ["name"]
