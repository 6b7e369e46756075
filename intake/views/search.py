"""Search of messages (issue 13): staff across the conversations they may
open, applicants across their own messages. The results list subjects, never
bodies (invariant 7); the work is intake.search's.

The terms never travel in a URL (issue 15), so that no access log, proxy log
or browser history holds the names and numbers people searched for: the form
posts them, the session keeps them under a random id (intake.search_terms),
and the results page is `?search=<id>` (plus `page`, and the staff page's
`case`, an id the case page's own URL already shows). A new search is counted
against the "search" rate limit; paging through its results is not."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework.access import applications_for_applicant, case_for_staff, require_staff
from common.errors import InvalidInput
from common.ratelimit import RateLimited, rate_limit
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
from intake.search_terms import search_recalled, search_url
from intake.services.events import staff_search_record


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_search(request):
    require_staff(request.user)
    asked = _asked(request, StaffSearchForm, "dashboard:search", in_url=("case",))
    case = None
    if asked.form.is_bound and asked.form.is_valid() and asked.form.cleaned_data["case"]:
        case = case_for_staff(request.user, asked.form.cleaned_data["case"])  # 404 for a case not theirs
    if asked.redirect_to:
        return redirect(asked.redirect_to)
    context = _searched(request, asked, lambda data: staff_scope(request.user, data["reference"], case), staff_row)
    context["case"] = case
    if context["results"] is not None and request.method == "GET":
        # The audit trail knows a search happened, never what was searched for.
        staff_search_record(
            actor=request.user,
            where="message_search",
            result_count=len(context["rows"]),
            page=context["results"].number,
            limited_to_case=bool(case or asked.form.cleaned_data.get("reference")),
        )
    return render(request, "dashboard/search.html", context, status=asked.status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def applicant_search(request):
    applications = list(applications_for_applicant(request.user))
    by_id = {application.pk: application for application in applications}

    def form_of(data):
        return ApplicantSearchForm(data, applications=applications)

    def scope(data):
        return applicant_scope(request.user, by_id.get(data.get("application")))

    asked = _asked(request, form_of, "portal:search")
    if asked.redirect_to:
        return redirect(asked.redirect_to)
    context = _searched(request, asked, scope, applicant_row)
    context["applications"] = applications
    return render(request, "portal/search.html", context, status=asked.status)


@dataclass
class Asked:
    """What a request to a search page asks for: the form (bound to the posted
    or the remembered terms), and either the search's criteria, the URL of
    its results (after a post), or why there is neither."""

    form: forms.Form
    criteria: Criteria | None = None
    redirect_to: str = ""
    refusal: str = ""  # not about one field: an expired search, the rate limit
    status: int = 200


def _asked(request, form_of: Callable[[QueryDict | None], forms.Form], url_name: str, in_url: Iterable[str] = ()) -> Asked:
    """A post is a new search: checked, counted against the rate limit, kept
    in the session and answered with the URL of its results. A get shows the
    search `?search=` stands for, or the empty form."""
    if request.method == "POST":
        form = form_of(request.POST)
        criteria = _criteria(form)
        if criteria is None:
            return Asked(form)
        try:
            rate_limit("search", request.user)
        except RateLimited as exc:
            # The form as it was posted, the reason in the error summary.
            return Asked(form, refusal=str(exc.message), status=429)
        terms = urlencode([(name, request.POST.get(name, "")) for name in form.fields if name not in in_url])
        params = {name: request.POST.get(name, "") for name in in_url}
        return Asked(form, redirect_to=search_url(request, url_name, terms, params))
    terms, expired = search_recalled(request)
    if expired:
        return Asked(form_of(None), refusal=_("That search has expired. Search again."))
    if not terms:
        return Asked(form_of(None))
    data = QueryDict(terms, mutable=True)
    for name in in_url:
        data[name] = request.GET.get(name, "")
    form = form_of(data)
    return Asked(form, criteria=_criteria(form))


def _criteria(form: forms.Form) -> Criteria | None:
    """What the form asks to find, or None with the reason added to the form."""
    if not form.is_bound or not form.is_valid():
        return None
    try:
        words = search_words(form.cleaned_data["q"].strip())
    except InvalidInput as exc:
        form.add_error("q", str(exc.message))
        return None
    if not words:
        # Only punctuation: nothing to look for.
        form.add_error("q", _("Enter at least one word to find: letters or numbers."))
        return None
    return Criteria(
        words=words,
        date_from=form.cleaned_data.get("date_from"),
        date_to=form.cleaned_data.get("date_to"),
        direction=form.cleaned_data.get("direction") or None,
    )


def _searched(request, asked: Asked, scope_of, row_of) -> dict:
    """The page's context: the form, and when it asks for words, one page of
    results (`results`, `rows`)."""
    context = {
        "form": asked.form,
        "refusal": asked.refusal,
        "results": None,
        "rows": [],
        "max_words": MAX_WORDS,
        "page_size": PAGE_SIZE,
    }
    if asked.criteria is None:
        return context
    results = messages_search(scope_of(asked.form.cleaned_data), asked.criteria, _page_number(request))
    context.update({"results": results, "rows": [row_of(message) for message in results.messages], "max_pages": MAX_PAGES})
    return context


def _page_number(request) -> int:
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1
