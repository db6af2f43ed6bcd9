"""The inquiry list as CSV for Excel: UTF-8 with a byte-order mark, formulas neutralised."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

# A cell starting with one of these is run as a formula by spreadsheet programs ("CSV injection"):
# a customer could type "=HYPERLINK(...)" as their name.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"


def neutralise(value) -> str:
    """The cell as text; one that a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _date(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def customers_csv(rows) -> str:
    """The CSV text (starting with the BOM) for an iterable of selectors.CustomerRow."""
    out = io.StringIO()
    out.write(UTF8_BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            _("Email"),
            _("Name"),
            _("Account type"),
            _("KYC status"),
            _("Action required"),
            _("Submitted"),
            _("Expected completion"),
            _("Last update"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                neutralise(row.email),
                neutralise(row.name),
                neutralise(row.account_type_label),
                neutralise(row.label),
                _("Yes") if row.action_required else "",
                _date(row.submitted_at),
                _date(row.expected_completion) if row.is_awaiting_decision else "",
                _date(row.last_update),
            ]
        )
    return out.getvalue()
