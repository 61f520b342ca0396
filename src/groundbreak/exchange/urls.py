from django.urls import include, path

app_name = "exchange"
urlpatterns = [
    path("", include("groundbreak.exchange.tabular_urls")),
    path("", include("groundbreak.exchange.opendata_urls")),
]
