from django.urls import path

from intake.views import api

app_name = "api"

# Ids are taken as text and checked by the access helpers, so a malformed id
# is a JSON 404 like any other outsider, never a 500.
urlpatterns = [
    path("cases/<str:case_id>/messages", api.case_messages, name="case_messages"),
    path("messages/<str:message_id>", api.message_detail, name="message_detail"),
    path(
        "admin/messages/<str:message_id>/attachments", api.admin_message_attachments, name="admin_message_attachments"
    ),
]
