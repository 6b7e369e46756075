"""Every dashboard page over the demo office, as its supervisor and a
caseworker see it, at a desk's width and a phone's, in English and French:
axe clean, nothing wider than the screen (tables stack as cards or scroll in
a focusable, labelled region)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from casework.models import Case, StaffProfile
from intake.management.commands.demo_data import DEMO_PASSWORD, MARIE, SUPERVISOR
from intake.models import Conversation, Message
from tests.browser.conftest import heading, sign_in, switch_language
from tests.browser.test_dashboard_conversation import at_each_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_dashboard_page_fits_a_phone_and_passes_axe(page, language):
    call_command("demo_data", verbosity=0)
    no_case = Conversation.objects.filter(case__isnull=True).values_list("application_id", flat=True).first()
    case = Case.objects.filter(assigned_staff_profile__user__email=MARIE).order_by("pk").first()
    message = Message.objects.filter(case=case, direction=Message.Direction.APPLICANT_TO_STAFF).first()
    assert no_case and case and message

    sign_in(page, SUPERVISOR, DEMO_PASSWORD)
    switch_language(page, language)
    pages = [
        "/dashboard/",
        "/dashboard/?view=unassigned",
        "/dashboard/?view=urgent",
        "/dashboard/?view=all&sort=activity",
        "/dashboard/cases/",
        "/dashboard/cases/?sort=waiting",
        f"/dashboard/cases/{case.pk}/",
        f"/dashboard/cases/{case.pk}/?view=conversation",
        f"/dashboard/cases/{case.pk}/messages/{message.pk}/",
        f"/dashboard/applications/{no_case}/",
    ]
    for number, path in enumerate(pages):
        page.goto(path)
        expect(heading(page)).to_be_visible()
        at_each_width(page, f"narrow-supervisor-{language}-{number}")

    assert StaffProfile.objects.get(user__email=MARIE).primary_role == StaffProfile.Role.CASEWORKER
    page.context.clear_cookies()
    sign_in(page, MARIE, DEMO_PASSWORD)
    switch_language(page, language)
    for number, path in enumerate(["/dashboard/", "/dashboard/?view=unassigned", f"/dashboard/cases/{case.pk}/"]):
        page.goto(path)
        expect(heading(page)).to_be_visible()
        at_each_width(page, f"narrow-caseworker-{language}-{number}")
