"""The work queue: the staff landing page. Thin: parse, call intake.queue, render."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.views.decorators.http import require_http_methods

from casework.access import require_staff
from casework.models import StaffProfile
from common.display import age
from common.errors import InvalidInput
from common.ratelimit import RateLimited, rate_limit
from intake.business_days import overdue_threshold
from intake.queue import QUEUE_PAGE_SIZE, QUEUE_SORTS, queue_counts, queue_row, queue_rows, queue_views_for
from intake.search_terms import search_recalled, search_url
from intake.services.events import staff_search_record

# Conversations, in the queue's navigation (French agrees with "conversations").
VIEW_LABELS = {
    "awaiting": pgettext_lazy("queue view", "Awaiting our reply"),
    "mine": pgettext_lazy("queue view", "Assigned to me"),
    "unassigned": pgettext_lazy("queue view", "Unassigned"),
    "urgent": pgettext_lazy("queue view", "Urgent"),
    "all": pgettext_lazy("queue view", "All"),
}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def queue(request):
    """The queue; its search form posts the terms, which come back as an id
    (intake.search_terms), never in the URL."""
    profile = require_staff(request.user)
    views = queue_views_for(profile)
    asked = request.POST if request.method == "POST" else request.GET
    view = asked.get("view") if asked.get("view") in views else "awaiting"
    sort = asked.get("sort") if asked.get("sort") in QUEUE_SORTS else "waiting"
    search_error = None
    if request.method == "POST":
        search = request.POST.get("q", "").strip()
        try:
            if search:
                rate_limit("search", request.user)
        except RateLimited as exc:
            # The list as it is, the terms still in the field, the reason next to it.
            search_error = exc.message
        else:
            params = {"view": view if view != "awaiting" else "", "sort": sort if sort != "waiting" else ""}
            return redirect(search_url(request, "dashboard:queue", search, params))
    else:
        search, expired = search_recalled(request)
        if expired:
            search_error = gettext("That search has expired. Search again.")
    searching = bool(search) and search_error is None
    try:
        rows = queue_rows(request.user, view, search=search if searching else "", sort=sort)
    except InvalidInput as exc:
        # The view as it is without the search, and the reason next to the field.
        search_error, searching = exc.message, False
        rows = queue_rows(request.user, view, sort=sort)
    now = timezone.now()
    threshold = overdue_threshold(now)
    counts = queue_counts(request.user, now=now)
    if not searching:
        rows.count_known(counts[view])  # the navigation's count is this list's: no second COUNT
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    if searching:
        staff_search_record(
            actor=request.user, where="queue", result_count=page.paginator.count, view=view, page=page.number
        )
    # A caseworker with nothing assigned is told where work comes from.
    no_cases = not profile.sees_every_case and counts["all"] == 0
    return render(
        request,
        "dashboard/queue.html",
        {
            "view": view,
            "views": [(name, VIEW_LABELS[name], counts[name]) for name in views],
            "view_label": VIEW_LABELS[view],
            "sort": sort,
            "search": search,
            "searching": searching,
            "search_error": search_error,
            "page": page,
            "rows": [
                _shown(queue_row(conversation, profile=profile, now=now, threshold=threshold), now=now)
                for conversation in page
            ],
            "overdue_count": counts["overdue"],
            "target_days": settings.RESPONSE_TARGET_BUSINESS_DAYS,
            "profile": profile,
            "no_cases": no_cases,
            "claim_view": no_cases and "unassigned" in views,
            "assigners": _assigners() if no_cases and "unassigned" not in views else [],
        },
    )


def _assigners() -> list[str]:
    """Who assigns cases: the active supervisors, by name."""
    return list(
        StaffProfile.objects.filter(
            primary_role=StaffProfile.Role.SUPERVISOR, status=StaffProfile.Status.ACTIVE
        ).order_by("display_name").values_list("display_name", flat=True)
    )


def _shown(row: dict, *, now) -> dict:
    """A queue row with its words and dates written out once, here, rather than
    by template tags in the row loop (the page's cost follows its rows). Dates
    are written the one way of the page's language (DATETIME_FORMAT); the last
    activity also as an age ("3 days ago"), which is what a person scans."""
    days = row["waiting_business_days"]
    if row["awaiting_reply_since"] is not None:
        waiting = timezone.localtime(row["awaiting_reply_since"])
        row["waiting_iso"] = waiting.isoformat()
        row["waiting_since_text"] = date_format(waiting, "DATETIME_FORMAT")
        # Under the column heading "Waiting": "Waiting | 3 business days".
        row["waiting_text"] = (
            ngettext("%(count)d business day", "%(count)d business days", days) % {"count": days}
            if days
            else gettext("less than a business day")
        )
    if row["unread_count"]:
        count = row["unread_count"]
        row["unread_text"] = ngettext("%(count)d unread", "%(count)d unread", count) % {"count": count}
    if row["last_message_at"] is not None:
        last = timezone.localtime(row["last_message_at"])
        row["last_iso"] = last.isoformat()
        row["last_text"] = date_format(last, "DATETIME_FORMAT")
        row["last_age"] = age(row["last_message_at"], now)
    return row
