"""The pages anyone can open without signing in: Contact us, Privacy, Terms of
use, Accessibility, Help, and How to apply.

Their words are templates (templates/pages/<name>.html, every sentence
translated in the French catalogue), so a program office edits them without
touching code; the office's contact details and the numbers the pages quote
(response target, file limits, retention, session length) come from settings,
so the pages always say what the service really does.
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import path
from django.utils.translation import ngettext

from common.display import file_size
from intake.presenters import response_target_sentence

# URL name and path of each page, in the footer's order (How to apply is linked
# from the applicant's pages, not the footer).
PAGES = {
    "contact": "contact/",
    "privacy": "privacy/",
    "terms": "terms/",
    "accessibility": "accessibility/",
    "help": "help/",
    "apply": "apply/",
}


def _facts() -> dict:
    """What the pages quote about the service, from the settings that decide it."""
    return {
        "response_target": response_target_sentence(),
        "max_files": settings.ATTACHMENT_MAX_FILES,
        "max_file_size": file_size(settings.ATTACHMENT_MAX_BYTES),
        "max_total_size": file_size(settings.ATTACHMENT_MAX_TOTAL_BYTES),
        "retention_years": settings.MESSAGE_RETENTION_YEARS,
        "session_length": _session_length(),
    }


def _session_length() -> str:
    """How long a sign-in lasts (SESSION_COOKIE_AGE), in hours or, below one, minutes."""
    hours, minutes = settings.SESSION_COOKIE_AGE // 3600, settings.SESSION_COOKIE_AGE // 60
    if hours:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def page(request, name):
    """One page; the office's details are in every page's context (context_processors.site)."""
    return render(request, f"pages/{name}.html", {"facts": _facts()})


app_name = "pages"
urlpatterns = [path(route, page, {"name": name}, name=name) for name, route in PAGES.items()]
