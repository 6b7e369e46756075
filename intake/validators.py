"""What message text may hold. The forms of both audiences and the messaging
service apply these same rules, so a page, the JSON API and a direct call of
the service accept and refuse the same text."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SUBJECT_MAX = 255
BODY_MAX = 20_000
# Tab, line feed and carriage return are text; every other control character,
# and a lone surrogate (which no UTF-8 column can store), is not.
ALLOWED_CONTROLS = frozenset("\t\n\r")


def text_characters_validate(value: str) -> None:
    """Refuse characters that are not text: NUL and other controls, lone surrogates."""
    for character in value:
        category = unicodedata.category(character)
        if (category == "Cc" and character not in ALLOWED_CONTROLS) or category == "Cs":
            raise ValidationError(
                _("The text contains a character that cannot be stored. Remove it and try again."),
                code="invalid_characters",
            )
