"""What every page shows of a message and of the people on it, for both
audiences: a withdrawn message shows only the neutral notice, and a person
appears by their display name (the case team when nobody is named). One
definition each, in presenters, which the JSON API uses too."""

from django import template

from intake import presenters

register = template.Library()
register.filter("shown_subject", presenters.shown_subject)
register.filter("shown_body", presenters.shown_body)
register.filter("person_name", presenters.person_name)
register.filter("conversation_status", presenters.conversation_status)
register.filter("conversation_status_label", presenters.conversation_status_label)
register.filter("application_label", presenters.application_label)
