from django.urls import path

import common.ids  # noqa: F401  (registers the <id:…> path converter)
from intake.views import assignment, dashboard, downloads, queue, search, tools

app_name = "dashboard"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("cases/", dashboard.case_list, name="case_list"),
    path("cases/<id:case_id>/", dashboard.case_detail, name="case_detail"),
    path("cases/<id:case_id>/messages/<id:message_id>/", dashboard.message_detail, name="message_detail"),
    path(
        "cases/<id:case_id>/messages/<id:message_id>/withdraw/",
        dashboard.message_withdraw_confirm,
        name="message_withdraw",
    ),
    path(
        "cases/<id:case_id>/messages/<id:message_id>/attachments/<id:attachment_id>/",
        downloads.staff_attachment_download,
        name="attachment_download",
    ),
    path("cases/<id:case_id>/documents/<id:document_id>/", downloads.document_download, name="document_download"),
    path(
        "cases/<id:case_id>/messages/<id:message_id>/read-state/",
        dashboard.message_read_state,
        name="message_read_state",
    ),
    path("cases/<id:case_id>/no-reply-needed/", dashboard.case_no_reply_needed, name="case_no_reply_needed"),
    path("cases/<id:case_id>/urgency/", dashboard.case_urgency, name="case_urgency"),
    # Assignment, claiming, and applications with messages but no case (intake.views.assignment).
    path("cases/<id:case_id>/assign/", assignment.case_assign_view, name="case_assign"),
    path("cases/<id:case_id>/claim/", assignment.case_claim_view, name="case_claim"),
    path("applications/<id:application_id>/", assignment.application_detail, name="application_detail"),
    path("applications/<id:application_id>/open-case/", assignment.application_open_case, name="application_open_case"),
    path(
        "applications/<id:application_id>/messages/<id:message_id>/attachments/<id:attachment_id>/",
        assignment.application_attachment_download,
        name="application_attachment_download",
    ),
    # Caseworker tools (issue 13): saved replies, internal notes, search of messages (intake.views.tools, .search).
    path("replies/", tools.saved_reply_list, name="saved_replies"),
    path("replies/new/", tools.saved_reply_new, name="saved_reply_new"),
    path("replies/<id:reply_id>/", tools.saved_reply_change, name="saved_reply_change"),
    path("replies/<id:reply_id>/delete/", tools.saved_reply_remove, name="saved_reply_delete"),
    path("cases/<id:case_id>/saved-replies/<id:reply_id>/", tools.case_saved_reply, name="case_saved_reply"),
    path("cases/<id:case_id>/notes/new/", tools.note_new, name="note_new"),
    path("cases/<id:case_id>/notes/<id:note_id>/", tools.note_change, name="note_change"),
    path("search/", search.staff_search, name="search"),
]
