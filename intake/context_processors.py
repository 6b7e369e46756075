from intake.selectors import applicant_unread_count


def portal(request):
    """The unread count shown in the header of every portal page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.active_staff_profile is not None:
        return {}
    return {"portal_unread_count": applicant_unread_count(user)}
