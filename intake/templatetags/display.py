"""Display helpers for every page: sizes and ages in the page's language,
{{ bytes|file_size }} ('10 MB', '10 Mo') and {{ moment|age }} ('3 days ago',
'il y a 3 jours'), see common.display."""

from django import template

from common import display

register = template.Library()
register.filter("file_size", display.file_size)
register.filter("age", display.age)

