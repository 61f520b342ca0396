from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groundbreak.core.form_errors import add_action_errors, error_messages
from groundbreak.core.htmx import redirect_to
from groundbreak.core.pagination import paginate
from groundbreak.notify import actions
from groundbreak.notify.channels import DeliveryError
from groundbreak.notify.forms import PreferenceForm, WebhookForm
from groundbreak.notify.models import NotificationPreference, Webhook
from groundbreak.notify.queries import (
    manageable_webhooks,
    may_manage_group_webhooks,
    notifications_for,
    recent_deliveries,
    unread_count,
)

# htmx stops polling when it gets this status: a bell whose session has ended goes quiet.
HTMX_STOP_POLLING = 286


def _own_notification(request, pk):
    """One of the user's notifications: another user's id is "not found", like a missing one."""
    return get_object_or_404(request.user.notifications, pk=pk)


@login_required
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    page = paginate(request, notifications_for(request.user, unread_only=unread_only))
    return render(
        request,
        "notify/list.html",
        {"page": page, "unread_only": unread_only, "notify_unread_count": unread_count(request.user)},
    )


def bell(request):
    """The header's unread counter, fetched by htmx on load and every minute."""
    if not request.user.is_authenticated:
        return HttpResponse(status=HTMX_STOP_POLLING)
    return render(request, "notify/_bell.html", {"notify_unread_count": unread_count(request.user)})


@login_required
def notification_open(request, pk):
    """Follow a notification's link, marking it read on the way."""
    notification = _own_notification(request, pk)
    actions.mark_read(user=request.user, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notify:list")
    return redirect(target)


@login_required
@require_POST
def notification_read(request, pk):
    notification = _own_notification(request, pk)
    actions.mark_read(user=request.user, notification=notification)
    if getattr(request, "htmx", False):
        return render(
            request,
            "notify/_item_read.html",
            {"n": notification, "notify_unread_count": unread_count(request.user)},
        )
    return redirect_to(request, request.POST.get("next") or reverse("notify:list"))


@login_required
@require_POST
def notification_read_all(request):
    count = actions.mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications marked as read."))
    return redirect_to(request, reverse("notify:list"))


@login_required
def preferences(request):
    user = request.user
    preference = NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
    webhook = Webhook.objects.filter(user=user).first()
    initial = {"email_enabled": preference.email_enabled, "digest_enabled": preference.digest_enabled}
    if webhook is not None:
        initial.update(webhook_kind=webhook.kind, webhook_url=webhook.url)
    form = PreferenceForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        has_saved_secret=bool(webhook is not None and webhook.secret),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_preferences(
                user=user,
                email_enabled=data["email_enabled"],
                digest_enabled=data["digest_enabled"],
                webhook_kind=data["webhook_kind"],
                webhook_url=data["webhook_url"],
                webhook_secret=data["secret"],
                clear_secret=data["clear_secret"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Notification settings saved."))
            return redirect_to(request, reverse("notify:preferences"))
    return render(
        request,
        "notify/preferences.html",
        {
            "form": form,
            "webhook": webhook,
            "may_manage_group_webhooks": may_manage_group_webhooks(user),
        },
    )


@login_required
@require_POST
def preferences_test(request):
    actions.send_test_notification(user=request.user)
    messages.success(request, _("A test notification is on its way to your channels."))
    return redirect_to(request, reverse("notify:preferences"))


def _require_manager(request):
    if not may_manage_group_webhooks(request.user):
        raise PermissionDenied


def _group_webhook(request, pk) -> Webhook:
    """A group webhook in the user's scope; 404 for missing and out-of-scope alike."""
    return get_object_or_404(manageable_webhooks(request.user), pk=pk)


@login_required
def webhook_list(request):
    _require_manager(request)
    return render(request, "notify/webhook_list.html", {"page": paginate(request, manageable_webhooks(request.user))})


@login_required
def webhook_edit(request, pk=None):
    _require_manager(request)
    webhook = _group_webhook(request, pk) if pk is not None else Webhook()
    form = WebhookForm(request.POST if request.method == "POST" else None, instance=webhook, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_group_webhook(webhook=form.instance, by=request.user)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect_to(request, reverse("notify:webhook-list"))
    return render(
        request,
        "notify/webhook_form.html",
        {
            "form": form,
            "webhook": webhook if webhook.pk else None,
            "deliveries": recent_deliveries(webhook) if webhook.pk else [],
        },
    )


@login_required
@require_POST
def webhook_delete(request, pk):
    _require_manager(request)
    webhook = _group_webhook(request, pk)
    try:
        actions.delete_group_webhook(webhook=webhook, by=request.user)
    except ValidationError as error:
        for message in error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Webhook removed."))
    return redirect_to(request, reverse("notify:webhook-list"))


@login_required
@require_POST
def webhook_test(request, pk):
    """Send a sample message at once, so whoever pastes a robot's address sees whether it works."""
    _require_manager(request)
    webhook = _group_webhook(request, pk)
    try:
        answer = actions.try_webhook(webhook=webhook)
    except DeliveryError as error:
        messages.error(request, _("The webhook refused the test message: %(error)s") % {"error": error})
    else:
        messages.success(request, _("Test message delivered (%(answer)s).") % {"answer": answer[:120]})
    return redirect_to(request, reverse("notify:webhook-edit", args=[webhook.pk]))
