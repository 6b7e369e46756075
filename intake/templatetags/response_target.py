"""The response target sentence ("We usually answer within 2 business days."),
for the portal pages where an applicant writes; the same words as the
confirmation after sending (presenters.response_target_sentence)."""

from django import template

from intake import presenters

register = template.Library()
register.simple_tag(presenters.response_target_sentence, name="response_target")
