from django.urls import path

from groundbreak.reporting.views import queue, reports, rollup, rounds

app_name = "reporting"
urlpatterns = [
    path("reports/", queue.queue, name="queue"),
    path("reports/rounds/", rounds.round_list, name="round-list"),
    path("reports/rounds/new/", rounds.round_create, name="round-create"),
    path("reports/rounds/<int:pk>/", rounds.round_detail, name="round-detail"),
    path("reports/rounds/<int:pk>/close/", rounds.round_close, name="round-close"),
    path("reports/rounds/<int:pk>/snapshot/", rounds.round_snapshot, name="round-snapshot"),
    path("reports/rounds/<int:pk>/send-up/", rounds.round_submit, name="round-submit"),
    path("reports/submissions/<int:pk>/decide/", rounds.submission_decide, name="submission-decide"),
    path("reports/rollup/", rollup.rollup_view, name="rollup"),
    path("reports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("reports/<int:pk>/edit/", reports.report_edit, name="report-edit"),
    path("reports/<int:pk>/submit/", reports.report_submit, name="report-submit"),
    path("reports/<int:pk>/approve/", reports.report_approve, name="report-approve"),
    path("reports/<int:pk>/return/", reports.report_return, name="report-return"),
    path("reports/<int:pk>/correct/", reports.report_correct, name="report-correct"),
    path("reports/<int:pk>/photos/<int:photo>/", reports.report_photo, name="report-photo"),
    path("reports/<int:pk>/photos/<int:photo>/remove/", reports.photo_remove, name="photo-remove"),
    path("reports/projects/<str:code>/indicators/", reports.indicator_add, name="indicator-add"),
]
