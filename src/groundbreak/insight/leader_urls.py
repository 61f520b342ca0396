"""The leader page under coordination's old URL name, for the links that still say
`coordination:leader-detail`: coordination mounts this module by its dotted path (no import, so
coordination depends on nothing above it). New links use `insight:leader-detail`."""

from django.urls import path

from groundbreak.insight import views

urlpatterns = [path("", views.leader_detail, name="leader-detail")]
