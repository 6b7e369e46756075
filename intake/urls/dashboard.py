from django.urls import path

from intake.views import dashboard, downloads

app_name = "dashboard"

urlpatterns = [
    path("cases/", dashboard.case_list, name="case_list"),
    path("cases/<int:case_id>/", dashboard.case_detail, name="case_detail"),
    path("cases/<int:case_id>/messages/<int:message_id>/", dashboard.message_detail, name="message_detail"),
    path(
        "cases/<int:case_id>/messages/<int:message_id>/withdraw/",
        dashboard.message_withdraw_confirm,
        name="message_withdraw",
    ),
    path(
        "cases/<int:case_id>/messages/<int:message_id>/attachments/<int:attachment_id>/",
        downloads.staff_attachment_download,
        name="attachment_download",
    ),
    path("cases/<int:case_id>/documents/<int:document_id>/", downloads.document_download, name="document_download"),
]
