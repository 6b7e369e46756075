"""Attachment and case-file downloads, each through the checked parent."""

from django.contrib.auth.decorators import login_required

from intake.downloads import file_response
from intake.selectors import applicant_attachment, case_document, staff_attachment
from intake.services.read_state import attachment_download_record


@login_required
def applicant_attachment_download(request, message_id, attachment_id):
    message, attachment = applicant_attachment(request.user, message_id, attachment_id)
    response = file_response(
        key=attachment.file_path, filename=attachment.original_filename, content_type=attachment.content_type
    )
    attachment_download_record(attachment=attachment, message=message, actor=request.user)
    return response


@login_required
def staff_attachment_download(request, case_id, message_id, attachment_id):
    _case, message, attachment = staff_attachment(request.user, case_id, message_id, attachment_id)
    response = file_response(
        key=attachment.file_path, filename=attachment.original_filename, content_type=attachment.content_type
    )
    attachment_download_record(attachment=attachment, message=message, actor=request.user)
    return response


@login_required
def document_download(request, case_id, document_id):
    _case, document = case_document(request.user, case_id, document_id)
    return file_response(key=document.file_path, filename=document.file_name, content_type=document.mime_type)
