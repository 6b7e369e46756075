"""Attachment and case-file downloads, each through the checked parent, each
recorded in the access log. GET and HEAD only."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_safe

from intake.downloads import file_response
from intake.models import MessageEvent
from intake.selectors import applicant_attachment, case_document, staff_attachment
from intake.services.events import event_record
from intake.services.read_state import attachment_download_record


@login_required
@require_safe
def applicant_attachment_download(request, message_id, attachment_id):
    message, attachment = applicant_attachment(request.user, message_id, attachment_id)
    response = file_response(
        key=attachment.file_path, filename=attachment.original_filename, content_type=attachment.content_type
    )
    attachment_download_record(attachment=attachment, message=message, actor=request.user)
    return response


@login_required
@require_safe
def staff_attachment_download(request, case_id, message_id, attachment_id):
    _case, message, attachment = staff_attachment(request.user, case_id, message_id, attachment_id)
    response = file_response(
        key=attachment.file_path, filename=attachment.original_filename, content_type=attachment.content_type
    )
    attachment_download_record(attachment=attachment, message=message, actor=request.user)
    return response


@login_required
@require_safe
def document_download(request, case_id, document_id):
    case, document = case_document(request.user, case_id, document_id)
    response = file_response(key=document.file_path, filename=document.file_name, content_type=document.mime_type)
    event_record(
        event_type=MessageEvent.Type.DOCUMENT_DOWNLOADED,
        case_id=case.pk,
        actor=request.user,
        detail={"document_id": document.pk},
    )
    return response
