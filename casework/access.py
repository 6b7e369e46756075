"""The one access rule (ARCHITECTURE.md, invariant 5).

Staff: supervisors and admins may open every case; a caseworker only the
cases assigned to them. Applicants: only what belongs to their own
submissions. Everything else is fetched *through* the parent these helpers
return; an outsider gets NotFound (404), never a hint that the row exists.
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from casework.models import Application, Case, StaffProfile, User
from common.errors import NotFound
from common.ids import id_or_404

CASE_RELATED = (
    "application__submission__user",
    "assigned_staff_profile__user",
)


def staff_profile_of(user: Any) -> StaffProfile | None:
    """The active staff profile of a signed-in user, or None."""
    if user is None or not user.is_authenticated:
        return None
    return user.active_staff_profile


def require_staff(user: Any) -> StaffProfile:
    profile = staff_profile_of(user)
    if profile is None:
        raise NotFound()
    return profile


def cases_for_staff(user: Any) -> QuerySet[Case]:
    profile = require_staff(user)
    cases = Case.objects.select_related(*CASE_RELATED)
    if profile.sees_every_case:
        return cases
    return cases.filter(assigned_staff_profile=profile)


def case_for_staff(user: Any, case_id: object) -> Case:
    return get_object_or_404(cases_for_staff(user), pk=id_or_404(case_id))


def staff_sees_every_case(user: Any) -> bool:
    profile = staff_profile_of(user)
    return profile is not None and profile.sees_every_case


def applications_for_applicant(user: Any) -> QuerySet[Application]:
    """The applicant's own applications, each with its submission and case (if any)."""
    if user is None or not user.is_authenticated or staff_profile_of(user) is not None:
        return Application.objects.none()
    return (
        Application.objects.filter(submission__user=user)
        .select_related("submission", "case__assigned_staff_profile__user")
        .order_by("-submission__submitted_at", "-id")
    )


def application_for_applicant(user: User, application_id: object) -> Application:
    return get_object_or_404(applications_for_applicant(user), pk=id_or_404(application_id))
