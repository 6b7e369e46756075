"""The one access rule (ARCHITECTURE.md, invariant 5).

Staff: supervisors and admins may open every case; a caseworker only the
cases assigned to them. Applicants: only what belongs to their own
submissions. Everything else is fetched *through* the parent these helpers
return; an outsider gets NotFound (404), never a hint that the row exists.
"""

from casework.errors import NotFound
from casework.models import Application, Case

CASE_RELATED = (
    "application__submission__user",
    "assigned_staff_profile__user",
)


def staff_profile_of(user):
    """The active staff profile of a signed-in user, or None."""
    if user is None or not user.is_authenticated:
        return None
    return user.active_staff_profile


def require_staff(user):
    profile = staff_profile_of(user)
    if profile is None:
        raise NotFound()
    return profile


def cases_for_staff(user):
    profile = require_staff(user)
    cases = Case.objects.select_related(*CASE_RELATED)
    if profile.sees_every_case:
        return cases
    return cases.filter(assigned_staff_profile=profile)


def case_for_staff(user, case_id):
    case = cases_for_staff(user).filter(pk=positive_id(case_id)).first()
    if case is None:
        raise NotFound()
    return case


def staff_sees_every_case(user):
    profile = staff_profile_of(user)
    return profile is not None and profile.sees_every_case


def applications_for_applicant(user):
    """The applicant's own applications, each with its submission and case (if any)."""
    if user is None or not user.is_authenticated or staff_profile_of(user) is not None:
        return Application.objects.none()
    return (
        Application.objects.filter(submission__user=user)
        .select_related("submission", "case__assigned_staff_profile__user")
        .order_by("-submission__submitted_at", "-id")
    )


def application_for_applicant(user, application_id):
    application = applications_for_applicant(user).filter(pk=positive_id(application_id)).first()
    if application is None:
        raise NotFound()
    return application


def positive_id(value):
    """Ids arrive from URLs and request bodies: anything but a positive integer is 404."""
    if isinstance(value, bool):
        raise NotFound()
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise NotFound() from None
    if number <= 0 or number > 2**31 - 1:
        raise NotFound()
    return number
