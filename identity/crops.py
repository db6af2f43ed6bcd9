"""A face cropped out of a stored document, for the reviewer's side-by-side view.

Served only by the document view (verification.views.document), after its permission check
and audit record: a crop is as private as the image it comes from.
"""

import io

from PIL import Image

from .selectors import face_box

CROP_SIDE = 320
MARGIN = 0.3  # of the face box on each side: hair, ears and chin in view


def face_crop(document, which: str) -> bytes | None:
    """JPEG bytes of the face `which` ("person" or "portrait") in `document`, or None."""
    box = face_box(document, which)
    if not box:
        return None
    try:
        with document.file.open("rb") as handle:
            image = Image.open(io.BytesIO(handle.read()))
            image.load()
    except (OSError, ValueError):
        return None
    left, top, right, bottom = box
    pad_x, pad_y = (right - left) * MARGIN, (bottom - top) * MARGIN
    crop = image.convert("RGB").crop(
        (
            max(0, round(left - pad_x)),
            max(0, round(top - pad_y)),
            min(image.width, round(right + pad_x)),
            min(image.height, round(bottom + pad_y)),
        )
    )
    crop.thumbnail((CROP_SIDE, CROP_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    crop.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
