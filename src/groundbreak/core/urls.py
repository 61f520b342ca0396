from django.urls import path

from groundbreak.core import views

urlpatterns = [
    path("", views.home, name="home"),
]
