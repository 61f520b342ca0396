from django.urls import path

from groundbreak.coordination import views_board, views_engagements, views_issues, views_notices

app_name = "coordination"
urlpatterns = [
    path("engagements/", views_engagements.engagement_list, name="engagement-list"),
    path("engagements/calendar/", views_engagements.engagement_calendar, name="engagement-calendar"),
    path("engagements/new/", views_engagements.engagement_create, name="engagement-create"),
    path("engagements/<int:pk>/", views_engagements.engagement_detail, name="engagement-detail"),
    path("engagements/<int:pk>/edit/", views_engagements.engagement_edit, name="engagement-edit"),
    path("engagements/<int:pk>/outcomes/", views_engagements.engagement_outcomes, name="engagement-outcomes"),
    path("engagements/<int:pk>/attachments/", views_engagements.engagement_attach, name="engagement-attach"),
    path(
        "engagements/<int:pk>/attachments/<int:attachment>/",
        views_engagements.engagement_attachment,
        name="engagement-attachment",
    ),
    path(
        "engagements/<int:pk>/attachments/<int:attachment>/delete/",
        views_engagements.engagement_attachment_delete,
        name="engagement-attachment-delete",
    ),
    path(
        "engagements/<int:pk>/decisions/<int:decision>/issue/",
        views_engagements.decision_issue,
        name="decision-issue",
    ),
    path(
        "engagements/<int:pk>/decisions/<int:decision>/milestone/",
        views_engagements.decision_milestone,
        name="decision-milestone",
    ),
    path("issues/new/", views_issues.issue_create, name="issue-create"),
    path("issues/<int:pk>/", views_issues.issue_detail, name="issue-detail"),
    path("issues/<int:pk>/assign/", views_issues.issue_assign, name="issue-assign"),
    path("issues/<int:pk>/respond/", views_issues.issue_respond, name="issue-respond"),
    path("issues/<int:pk>/resolve/", views_issues.issue_resolve, name="issue-resolve"),
    path("issues/<int:pk>/verify/", views_issues.issue_verify, name="issue-verify"),
    path("issues/<int:pk>/return/", views_issues.issue_return, name="issue-return"),
    path("issues/<int:pk>/deadline/", views_issues.issue_deadline, name="issue-deadline"),
    path("issues/<int:pk>/instruct/", views_issues.issue_instruct, name="issue-instruct"),
    path("issues/<int:pk>/attachments/<int:attachment>/", views_issues.issue_attachment, name="issue-attachment"),
    path("projects/<str:code>/instructions/new/", views_issues.project_instruct, name="project-instruct"),
    path("projects/<str:code>/engagements/", views_engagements.project_engagements, name="project-engagements"),
    path("notices/", views_notices.notice_list, name="notice-list"),
    path("notices/new/", views_notices.notice_create, name="notice-create"),
    path("notices/report/", views_notices.notice_report, name="notice-report"),
    path("notices/<int:pk>/", views_notices.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/replied/", views_notices.notice_replied, name="notice-replied"),
    path("notices/<int:pk>/docx/", views_notices.notice_document, {"fmt": "docx"}, name="notice-docx"),
    path("notices/<int:pk>/pdf/", views_notices.notice_document, {"fmt": "pdf"}, name="notice-pdf"),
    path("issues/<int:pk>/notices/", views_notices.issue_notices, name="issue-notices"),
    path("supervision/", views_board.board, name="board"),
    path("supervision/inbox/", views_board.inbox, name="inbox"),
    path("leaders/<int:pk>/", ("groundbreak.insight.leader_urls", None, None)),  # insight's page, old name kept
]
