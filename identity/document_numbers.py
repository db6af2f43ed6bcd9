"""The face match's one call into the MRZ reader: which document number an image shows.

Kept to this module so the reader can move (or be replaced) without touching the face code.
Only the number and its check digit matter here, so the read stops where they are decided:
the reader's own search for the best band (verification.mrz.read.best_band), without the
second reader that read_mrz runs afterwards. That second reader only marks characters as
sure or unsure for the data page's trusted fields; it never changes a character or a check
digit, so the number found is the one read_mrz finds (tests/identity/test_faces.py checks
it), at a fraction of the time.
"""


def read_document_number(image) -> str | None:
    """The MRZ's document number in `image` (PIL image or bytes) when its check digit holds."""
    try:
        return _read_number(image)
    except Exception:  # noqa: BLE001 - as read_mrz: an odd image is "not legible", never a crash
        return None


def _read_number(image) -> str | None:
    from verification.mrz import parse_mrz
    from verification.mrz.read import best_band

    band = best_band(image)
    if band is None:
        return None
    try:
        fields = parse_mrz(band.text_lines)
    except ValueError:
        return None
    if not fields.check_digits.get("number"):
        return None
    return fields.number or None
