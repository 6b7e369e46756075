"""Display helpers for every page: sizes and ages in the page's language,
{{ bytes|file_size }} ('10 MB', '10 Mo') and {{ moment|age }} ('3 days ago',
'il y a 3 jours'), see common.display; and the layout's banners, split by kind."""

from django import template
from django.contrib.messages import constants

from common import display, office

register = template.Library()
register.filter("file_size", display.file_size)
register.filter("age", display.age)


@register.filter
def flash_errors(messages):
    """The error banners of a page (Django messages at level ERROR), shown as an alert."""
    return [message for message in messages if message.level >= constants.ERROR]


@register.filter
def flash_others(messages):
    """The other banners (success, information), shown as a status."""
    return [message for message in messages if message.level < constants.ERROR]


# {% office_details as office %}: the office's name, phone, e-mail... where no
# request brings them (the e-mails; pages have `office` from the context processor).
register.simple_tag(office.office, name="office_details")
