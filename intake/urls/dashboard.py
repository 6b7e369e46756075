from django.urls import path

import common.ids  # noqa: F401  (registers the <id:…> path converter)
from intake.views import dashboard, downloads

app_name = "dashboard"

urlpatterns = [
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
]
