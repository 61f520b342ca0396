from django.urls import path

from groundbreak.fieldwork import views

app_name = "fieldwork"
urlpatterns = [
    path("field/inspections/", views.inspection_list, name="inspection-list"),
    path("field/inspections/new/", views.inspection_create, name="inspection-create"),
    path("field/inspections/<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("field/snap/", views.snap_create, name="snap"),
    path("field/snap/nearby/", views.snap_nearby, name="snap-nearby"),
    path("field/snaps/triage/", views.triage, name="triage"),
    path("field/snaps/<int:pk>/", views.snap_detail, name="snap-detail"),
    path("field/snaps/<int:pk>/photo/", views.snap_photo, name="snap-photo"),
    path("field/snaps/<int:pk>/triage/", views.snap_triage, name="snap-triage"),
    path("field/snaps/<int:pk>/reject/", views.snap_reject, name="snap-reject"),
]
