from django.urls import path

import common.ids  # noqa: F401  (registers the <id:…> path converter)
from intake.views import downloads, drafting, portal, search

app_name = "portal"

urlpatterns = [
    path("", portal.inbox, name="inbox"),
    path("new/", portal.compose, name="compose"),
    # Both audiences' forms save their drafts here (the page's script).
    path("drafts/", drafting.draft_autosave, name="draft_autosave"),
    path("applications/<id:application_id>/", portal.conversation, name="conversation"),
    path("<id:message_id>/", portal.message_detail, name="message_detail"),
    path(
        "<id:message_id>/attachments/<id:attachment_id>/",
        downloads.applicant_attachment_download,
        name="attachment_download",
    ),
    # Search of the applicant's own messages (issue 13, intake.views.search).
    path("search/", search.applicant_search, name="search"),
]
