"""Invisible characters in customer text: refused, whatever the script around them."""

import pytest
from django.core.exceptions import ValidationError

from kyc_portal.validators import validate_multiline_text, validate_plain_text

HIDDEN = [
    "\u202e",  # right-to-left override: reverses what follows on a staff page
    "\u202a",  # left-to-right embedding
    "\u2066",  # left-to-right isolate
    "\u2069",  # pop directional isolate
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space
    "\ufeff",  # byte-order mark
    "\x07",  # bell
    "\x1b",  # escape
    "\x85",  # next line (a C1 control)
]


@pytest.mark.parametrize("char", HIDDEN)
@pytest.mark.parametrize("validate", [validate_plain_text, validate_multiline_text])
def test_format_and_control_characters_are_refused_and_named(validate, char):
    with pytest.raises(ValidationError) as refused:
        validate(f"ACME{char} LTD")
    assert refused.value.code == "hidden_character"
    assert f"(U+{ord(char):04X})" in refused.value.messages[0]


@pytest.mark.parametrize("char", ["\n", "\r", "\t"])
def test_line_breaks_and_tabs_are_only_fine_in_multiline_text(char):
    validate_multiline_text(f"1 High Street{char}Leeds")
    with pytest.raises(ValidationError):
        validate_plain_text(f"ACME{char}LTD")


@pytest.mark.parametrize(
    "text",
    ["Zoë Ştefan-O'Brien", "北京市朝阳区建国路 88 号", "شركة الأمل", "חברה בע״מ", "No. 12/3 (B)"],
)
def test_ordinary_text_in_any_script_is_accepted(text):
    # Right-to-left letters are ordinary text: only the invisible controls are refused.
    validate_plain_text(text)
    validate_multiline_text(text)
