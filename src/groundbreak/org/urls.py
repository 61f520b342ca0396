from django.urls import path

from groundbreak.org import views

app_name = "org"
urlpatterns = [
    path("language/", views.set_language, name="set-language"),
]
