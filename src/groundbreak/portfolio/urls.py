from django.urls import path

from groundbreak.portfolio import directory_views, pickers, views

app_name = "portfolio"
urlpatterns = [
    path("areas/", directory_views.area_list, name="area-list"),
    path("areas/<int:pk>/", directory_views.area_detail, name="area-detail"),
    path("units/", directory_views.unit_list, name="unit-list"),
    path("units/<int:pk>/", directory_views.unit_detail, name="unit-detail"),
    path("people/", directory_views.person_list, name="person-list"),
    path("people/<int:pk>/", directory_views.person_detail, name="person-detail"),
    path("projects/", views.project_list, name="project-list"),
    path("project-choices/", pickers.project_choices, name="project-choices"),
    path("projects/new/", views.project_create, name="project-create"),
    path("key-lists/", views.keylist_list, name="keylist-list"),
    path("key-lists/<int:pk>/", views.keylist_detail, name="keylist-detail"),
    path("projects/<str:code>/", views.project_detail_view, name="project-detail"),
    path("projects/<str:code>/edit/", views.project_edit, name="project-edit"),
    path("projects/<str:code>/stage/", views.project_change_stage, name="project-stage"),
    path("projects/<str:code>/pause/", views.project_pause, name="project-pause"),
    path("projects/<str:code>/pause-update/", views.project_pause_update, name="project-pause-update"),
    path("projects/<str:code>/resume/", views.project_resume, name="project-resume"),
    path("projects/<str:code>/cancel/", views.project_cancel, name="project-cancel"),
    path("projects/<str:code>/light/", views.project_override, name="project-override"),
    path(
        "projects/<str:code>/light/<int:pk>/withdraw/",
        views.project_override_withdraw,
        name="project-override-withdraw",
    ),
    path("projects/<str:code>/key-lists/", views.project_membership, name="project-membership"),
    path(
        "projects/<str:code>/key-lists/<int:pk>/remove/",
        views.project_membership_remove,
        name="project-membership-remove",
    ),
]
