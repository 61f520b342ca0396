from django.urls import path

from groundbreak.schedule import views

app_name = "schedule"
urlpatterns = [
    path("projects/<str:code>/milestones/new/", views.milestone_add, name="milestone-add"),
    path("projects/<str:code>/milestones/template/", views.template_apply, name="template-apply"),
    path("projects/<str:code>/milestones/<int:pk>/complete/", views.milestone_complete, name="milestone-complete"),
    path("projects/<str:code>/milestones/<int:pk>/reopen/", views.milestone_reopen, name="milestone-reopen"),
    path("projects/<str:code>/milestones/<int:pk>/replan/", views.milestone_replan, name="milestone-replan"),
    path("projects/<str:code>/milestones/<int:pk>/evidence/", views.milestone_evidence, name="milestone-evidence"),
    path("replans/", views.replan_queue, name="replan-queue"),
    path("replans/<int:pk>/decide/", views.replan_decide, name="replan-decide"),
]
