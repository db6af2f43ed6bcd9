"""The wizard's check right after a holding photo is uploaded: is a person's face in it?

Like the blur check (verification/uploads.py), a photo that fails is refused with advice and
nothing is stored. Only the customer's own face counts: a face printed on the held document or
shown in a picture is not the person. No score is ever shown to the customer.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import faces

NO_FACE = _(
    "We could not find your face in this photo. Take it again facing the camera in good light, "
    "with your whole face visible beside the document, not covered by it."
)


def require_person_face(content: bytes) -> None:
    """Raises ValidationError (code "no_face") when no live face is found in the photo."""
    if not settings.KYC_FACE_UPLOAD_CHECK:
        return
    try:
        pixels = faces.load_image(content)
    except faces.UnreadableImage:
        return  # the upload check has already refused what cannot be decoded
    if not faces.has_person_face(pixels):
        raise ValidationError(NO_FACE, code="no_face")
