from django.urls import path

from groundbreak.insight import views

app_name = "insight"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("map/", views.battle_map, name="map"),
    path("leaders/compare/", views.leaders, name="leaders"),
    path("leaders/<int:pk>/", views.leader_detail, name="leader-detail"),
]
