from django.urls import path

from groundbreak.notify import views

app_name = "notify"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/bell/", views.bell, name="bell"),
    path("notifications/read-all/", views.notification_read_all, name="read-all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="open"),
    path("notifications/<int:pk>/read/", views.notification_read, name="read"),
    path("notifications/settings/", views.preferences, name="preferences"),
    path("notifications/settings/test/", views.preferences_test, name="preferences-test"),
    path("notifications/webhooks/", views.webhook_list, name="webhook-list"),
    path("notifications/webhooks/new/", views.webhook_edit, name="webhook-create"),
    path("notifications/webhooks/<int:pk>/", views.webhook_edit, name="webhook-edit"),
    path("notifications/webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook-delete"),
    path("notifications/webhooks/<int:pk>/test/", views.webhook_test, name="webhook-test"),
]
