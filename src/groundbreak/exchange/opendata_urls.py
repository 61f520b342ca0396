from django.urls import path

from groundbreak.exchange import opendata_views

urlpatterns = [
    path("open-data/", opendata_views.opendata_list, name="opendata-list"),
    path("open-data/oc4ids.json", opendata_views.opendata_oc4ids, name="opendata-oc4ids"),
    path("open-data/projects.geojson", opendata_views.opendata_geojson, name="opendata-geojson"),
    path("open-data/<str:code>/", opendata_views.opendata_detail, name="opendata-detail"),
    path("export/projects.geojson", opendata_views.projects_geojson, name="projects-geojson"),
    path("projects/<str:code>/publish/", opendata_views.project_publish, name="project-publish"),
]
