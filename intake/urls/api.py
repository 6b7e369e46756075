from django.urls import path

import common.ids  # noqa: F401  (registers the <id:…> path converter)
from intake.views import api

app_name = "api"

# A malformed id does not match (common.ids) and gets the JSON 404 of
# iset_messaging.views.not_found, like any other outsider.
urlpatterns = [
    path("cases/<id:case_id>/messages", api.case_messages, name="case_messages"),
    path("messages/<id:message_id>", api.message_detail, name="message_detail"),
    path("me/threads", api.me_threads, name="me_threads"),
    path("staff/queue", api.staff_queue, name="staff_queue"),
    path("admin/messages/<id:message_id>/attachments", api.admin_message_attachments, name="admin_message_attachments"),
]
