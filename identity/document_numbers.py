"""The face match's one call into the MRZ reader: which document number an image shows.

Kept to this module so the reader can move (or be replaced) without touching the face code.
Only the number and its check digit matter here, so the read stops where they are decided:
the reader's own search for the best band (verification.mrz.read), without the second reader
that read_mrz runs afterwards. That second reader only marks characters as sure or unsure
for the data page's trusted fields; it never changes a character or a check digit, so the
number found is the one read_mrz finds (tests/identity/test_faces.py checks it), at a
fraction of the time.
"""


def read_document_number(image) -> str | None:
    """The MRZ's document number in `image` (PIL image or bytes) when its check digit holds."""
    try:
        return _read_number(image)
    except Exception:  # noqa: BLE001 - as read_mrz: an odd image is "not legible", never a crash
        return None


def _read_number(image) -> str | None:
    from verification.mrz import parse_mrz
    from verification.mrz import read as reader
    from verification.mrz.locate import cut_band, find_band_boxes, load_grayscale

    gray = load_grayscale(image)
    best = None
    # The same search as read_mrz: locator sizes cheapest first, a band and then upside down,
    # the best glyph fit kept, stopping at a near-perfect one.
    for locator_width in reader.LOCATOR_WIDTHS:
        for box, scale in find_band_boxes(gray, locator_width)[: reader.MAX_BANDS]:
            band = cut_band(gray, box, scale)
            for ink, look in ((band.ink, band.gray), (band.ink[::-1, ::-1], band.gray[::-1, ::-1])):
                candidate = reader.read_band(ink, look)
                if candidate and (best is None or candidate.quality > best.quality):
                    best = candidate
                if _good_enough(candidate, reader):
                    break
            if _good_enough(best, reader):
                break
        if _good_enough(best, reader):
            break
    if best is None:
        return None
    try:
        fields = parse_mrz(best.text_lines)
    except ValueError:
        return None
    if not fields.check_digits.get("number"):
        return None
    return fields.number or None


def _good_enough(reading, reader) -> bool:
    return (
        reading is not None
        and all(reading.check_digits.values())
        and reading.mean_score >= reader.GOOD_ENOUGH_SCORE
    )
