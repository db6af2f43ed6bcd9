"""The face match's one call into the MRZ reader: which document number an image shows.

Kept to this single function so the reader can move (or be replaced) without touching the
face code.
"""


def read_document_number(image) -> str | None:
    """The MRZ's document number in `image` (PIL image or bytes) when its check digit holds."""
    from verification.mrz import read_mrz

    reading = read_mrz(image)
    if reading.fields is None or not reading.check_digits.get("number"):
        return None
    return reading.fields.number or None
