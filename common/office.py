"""The program office as people reach it: its name, e-mail, phone, hours and
address (settings OFFICE_*), and where to apply (APPLY_URL). The pages anyone
can open, the applicant's notices and the e-mails' signature all show these."""

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext


def office_name() -> str:
    return settings.OFFICE_NAME or gettext("ISET program office")


def office_hours() -> str:
    """'Monday to Friday (except holidays), 8:30 a.m. to 4:30 p.m., Toronto
    time', from OFFICE_HOURS and the city of TIME_ZONE."""
    opens, closes = settings.OFFICE_HOURS
    city = settings.TIME_ZONE.rsplit("/", 1)[-1].replace("_", " ")
    return gettext("Monday to Friday (except holidays), %(opens)s to %(closes)s, %(city)s time") % {
        "opens": date_format(opens, "TIME_FORMAT"),
        "closes": date_format(closes, "TIME_FORMAT"),
        "city": city,
    }


def office() -> dict:
    return {
        "name": office_name(),
        "email": settings.OFFICE_CONTACT_EMAIL,
        "phone": settings.OFFICE_PHONE,
        "tty": settings.OFFICE_TTY,
        "hours": office_hours(),
        "address": settings.OFFICE_ADDRESS,
    }


def apply_url() -> str:
    """The program's application form (APPLY_URL), or our page on how to apply."""
    return settings.APPLY_URL or reverse("pages:apply")
