"""Free text that customers type and staff read later."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Unicode "format" (Cf) and "control" (Cc) characters are invisible: text-direction overrides
# and isolates (U+202A-202E, U+2066-2069), zero-width spaces and joiners, the byte-order mark,
# terminal controls. A right-to-left override in a customer's text reverses whatever follows it
# on a staff page, so a customer could forge the times and versions a reviewer reads.
HIDDEN_CATEGORIES = {"Cf", "Cc"}
# Line breaks and tabs are ordinary in a multi-line field (an address); nowhere else.
MULTILINE_WHITESPACE = "\n\r\t"


def first_hidden_character(value: str, *, allowed: str = "") -> str | None:
    """The first format or control character in `value` that is not in `allowed`, or None."""
    for char in value:
        if unicodedata.category(char) in HIDDEN_CATEGORIES and char not in allowed:
            return char
    return None


def _refuse_hidden_characters(value, allowed: str) -> None:
    char = first_hidden_character(str(value), allowed=allowed)
    if char is not None:
        raise ValidationError(
            _(
                "This contains an invisible character (%(character)s), such as a text-direction "
                "mark or a zero-width space, which is not allowed. It often comes with copied "
                "text: please clear the field and type the text again."
            ),
            code="hidden_character",
            params={"character": f"U+{ord(char):04X}"},
        )


def validate_plain_text(value) -> None:
    """Refuses single-line text holding a format or control character (newlines included)."""
    _refuse_hidden_characters(value, allowed="")


def validate_multiline_text(value) -> None:
    """Like validate_plain_text, but line breaks and tabs are fine (an address)."""
    _refuse_hidden_characters(value, allowed=MULTILINE_WHITESPACE)
