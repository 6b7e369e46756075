from django.urls import path

from intake.views import downloads, portal

app_name = "portal"

urlpatterns = [
    path("", portal.inbox, name="inbox"),
    path("new/", portal.compose, name="compose"),
    path("<int:message_id>/", portal.message_detail, name="message_detail"),
    path(
        "<int:message_id>/attachments/<int:attachment_id>/",
        downloads.applicant_attachment_download,
        name="attachment_download",
    ),
]
