"""Staff searches keep their terms out of every URL, so that no access log,
proxy log or browser history holds the names and e-mail addresses staff
searched for.

The search form posts its terms; the view keeps them in the person's session
under a random id and redirects (post/redirect/get) to the list with
`?search=<id>`. Pagination, sorting and views keep that id in their links like
any other parameter; "Clear search" drops it. The id means nothing outside the
session that made it."""

import secrets
from urllib.parse import urlencode

from django.urls import reverse

SESSION_KEY = "staff_search_terms"
# The newest searches a session remembers (older links then say the search expired).
KEPT = 20


def search_url(request, url_name: str, terms: str, params: dict[str, str]) -> str:
    """The URL of the list `url_name` with `params`, searching `terms`
    (remembered in the session); without terms, the list unsearched."""
    query = {name: value for name, value in params.items() if value}
    if terms:
        token = secrets.token_urlsafe(12)
        kept = dict(request.session.get(SESSION_KEY, {}))
        kept[token] = terms
        request.session[SESSION_KEY] = dict(list(kept.items())[-KEPT:])
        query["search"] = token
    path = reverse(url_name)
    return f"{path}?{urlencode(query)}" if query else path


def search_recalled(request) -> tuple[str, bool]:
    """The terms `?search=` stands for, and whether it named a search this
    session no longer remembers (an old link, another browser)."""
    token = request.GET.get("search", "")
    if not token:
        return "", False
    terms = request.session.get(SESSION_KEY, {}).get(token)
    return (terms, False) if isinstance(terms, str) else ("", True)
