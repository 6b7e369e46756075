from django.db.models import Sum

from intake.models import Conversation


def portal(request):
    """The unread count shown in the header of every portal page: the staff ->
    applicant messages the applicant has not read (withdrawn ones aside) in the
    conversations of their own applications. One query on the conversation
    summaries, through their (applicant_user_id, last_message_at) index, however
    many messages there are."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.active_staff_profile is not None:
        return {}
    unread = Conversation.objects.filter(applicant_user=user).aggregate(unread=Sum("unread_by_applicant"))["unread"]
    return {"portal_unread_count": unread or 0}
