"""The e-mail notices of a message, for the dashboard's message panel
(templates/dashboard/_message.html): `{% email_notices message as notices %}`."""

from django import template

from intake.selectors import message_email_notices

register = template.Library()


@register.simple_tag
def email_notices(message):
    return message_email_notices(message)
