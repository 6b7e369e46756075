from common.office import apply_url, office
from iset_messaging.pages import PAGES


def site(request):
    """What the shared layout needs on every page: which navigation link is the
    current page (aria-current), the office's contact details for the footer's
    pages and the applicant's notices, and where to apply."""
    return {"nav_current": nav_current(request), "office": office(), "apply_url": apply_url()}


def nav_current(request) -> dict[str, str]:
    """aria-current for each link of the header and footer navigation: "page"
    on the link to this very page, "true" on the link to the section this page
    is in (a conversation is in Messages, a case in Cases)."""
    match = getattr(request, "resolver_match", None)
    view = match.view_name if match is not None else ""
    namespace, _, name = view.rpartition(":")
    current = {}
    if namespace == "portal" and name == "search":
        current["search"] = "page"
    elif namespace == "portal":
        current["compose" if name == "compose" else "messages"] = "page" if name in ("inbox", "compose") else "true"
    elif namespace == "dashboard" and name == "search":
        current["search"] = "page"
    elif namespace == "dashboard" and name.startswith("saved_repl"):
        current["saved_replies"] = "page" if name == "saved_replies" else "true"
    elif namespace == "dashboard":
        current["queue" if name == "queue" else "cases"] = "page" if name in ("queue", "case_list") else "true"
    elif namespace == "pages" and name in PAGES:
        current[name] = "page"
    return current
