"""The face match's one call into the MRZ reader: which document number an image shows.

Kept to this module so the reader can move (or be replaced) without touching the face code.
Only the number matters here, so only its cells are read (verification.mrz.read
.document_number: the number, its check digit and the country code beside them, about a
fifth of a whole band's glyph work, without read_mrz's second reader). A number is reported
only as the glyph templates read it with its check digit holding: never one that a check-digit
repair made hold, which is a guess (a line read one cell short can be "repaired" into another
document's number). Such a number is "not legible", and the layout and portrait decide.
tests/identity/test_faces.py checks that the number is read_mrz's own or None.
"""


def read_document_number(image) -> str | None:
    """The MRZ's document number in `image` (PIL image or bytes), or None when not legible."""
    from verification.mrz.read import document_number

    try:
        return document_number(image)
    except Exception:  # noqa: BLE001 - as read_mrz: an odd image is "not legible", never a crash
        return None
