from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from groundbreak.schedule.views import my_work

urlpatterns = [
    path("my-work/", my_work, name="my-work"),
    path("", include("groundbreak.core.urls")),
    path("accounts/", include("groundbreak.org.account_urls")),
    path("", include("groundbreak.org.urls")),
    path("", include("groundbreak.portfolio.urls")),
    path("", include("groundbreak.schedule.urls")),
    path("", include("groundbreak.coordination.urls")),
    path("", include("groundbreak.reporting.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("groundbreak.api.urls")),
    path("", include("groundbreak.exchange.urls")),
    path("", include("groundbreak.notify.urls")),
    path("", include("groundbreak.insight.urls")),
    path("", include("groundbreak.fieldwork.urls")),
    path("admin/", admin.site.urls),
]
