"""Search of messages (issue 13): staff across the conversations they may
open, applicants across their own messages. GET forms, so a search is a link
that can be paged and kept; the results list subjects, never bodies
(invariant 7). The work is intake.search's."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from casework.access import applications_for_applicant, case_for_staff, require_staff
from common.errors import InvalidInput
from intake.forms.tools import ApplicantSearchForm, StaffSearchForm
from intake.search import (
    MAX_PAGES,
    MAX_WORDS,
    PAGE_SIZE,
    Criteria,
    applicant_row,
    applicant_scope,
    messages_search,
    search_words,
    staff_row,
    staff_scope,
)
from intake.services.events import staff_search_record


@login_required
@require_safe
def staff_search(request):
    require_staff(request.user)
    form = StaffSearchForm(request.GET or None)
    case = None
    if form.is_valid() and form.cleaned_data["case"]:
        case = case_for_staff(request.user, form.cleaned_data["case"])
    context = _searched(request, form, lambda data: staff_scope(request.user, data["reference"], case), staff_row)
    context["case"] = case
    if context.get("results") is not None and request.method == "GET":
        # The audit trail knows a search happened, never what was searched for.
        staff_search_record(
            actor=request.user,
            where="message_search",
            result_count=len(context["rows"]),
            page=context["results"].number,
            limited_to_case=bool(case or form.cleaned_data.get("reference")),
        )
    return render(request, "dashboard/search.html", context)


@login_required
@require_safe
def applicant_search(request):
    applications = list(applications_for_applicant(request.user))
    form = ApplicantSearchForm(request.GET or None, applications=applications)
    by_id = {application.pk: application for application in applications}

    def scope(data):
        return applicant_scope(request.user, by_id.get(data.get("application")))

    context = _searched(request, form, scope, applicant_row)
    context["applications"] = applications
    return render(request, "portal/search.html", context)


def _searched(request, form, scope_of, row_of) -> dict:
    """The page's context: the form, and when it asks for words, one page of
    results (`results`, `rows`) or the reason there are none."""
    context = {"form": form, "results": None, "rows": [], "max_words": MAX_WORDS, "page_size": PAGE_SIZE}
    if not form.is_bound or not form.is_valid():
        return context
    text = form.cleaned_data["q"].strip()
    try:
        words = search_words(text)
    except InvalidInput as exc:
        form.add_error("q", str(exc.message))
        return context
    if not words:
        # Only punctuation: nothing to look for.
        form.add_error("q", _("Enter at least one word to find: letters or numbers."))
        return context
    criteria = Criteria(
        words=words,
        date_from=form.cleaned_data.get("date_from"),
        date_to=form.cleaned_data.get("date_to"),
        direction=form.cleaned_data.get("direction") or None,
    )
    results = messages_search(scope_of(form.cleaned_data), criteria, _page_number(request))
    context.update({"results": results, "rows": [row_of(message) for message in results.messages], "words": words, "max_pages": MAX_PAGES})
    return context


def _page_number(request) -> int:
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1
