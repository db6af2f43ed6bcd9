"""The person, not the picture of the person: who is in the holding photo, and what they hold.

A holding photo shows two kinds of face: the person's own, and pictures of faces (the small
portrait printed on the document they hold, or a print or a screen held up instead of a face).
Only a live face outside the held document speaks for the person; a face inside a rectangular
frame is a picture. The held document is found by matching the uploaded data page's layout
into the photo, then checked by its content (its portrait and its text, and its MRZ where the
caller passes a reader).
"""

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from . import document, model
from .model import Box

# dlib's published rule is "distance below 0.6: same person". The score maps a distance to
# 0-1, higher the same: 1 - distance / 1.2, so 0.6 reads 0.5. Below UNSURE_THRESHOLD: not the
# same person; between the two: a person must look (on real photos from the package, the same
# person scored 0.64-0.81 and different people 0.27-0.33: see benchmarks/faces).
MATCH_THRESHOLD = 0.55
UNSURE_THRESHOLD = 0.5

VERDICT_MATCH = "match"
VERDICT_NO_MATCH = "no_match"
VERDICT_UNSURE = "unsure"
VERDICT_NO_FACE = "no_face"

DOCUMENT_SAME = document.SAME
DOCUMENT_DIFFERENT = document.DIFFERENT
DOCUMENT_NOT_FOUND = document.NOT_FOUND

# Faces are searched on a copy this large (the detector's cost grows with the pixels); a
# person's face holding a document fills far more than the detector's 80 px minimum there.
DETECT_SIDE = 800
# Pixel limit for any image handed to us (the uploads are at most 4096 px a side).
MAX_PIXELS = 40_000_000


class UnreadableImage(ValueError):
    """The bytes or file are not an image we can decode."""


@dataclass
class Face:
    """A face found in an image: its box (image pixels), embedding and what kind of face it is.

    The embedding (the engine's costliest step) is computed on first use: most faces found
    are never compared (a picture held up, a page's ghost portrait, a held page's portrait
    once its MRZ has said which page it is).
    """

    box: Box
    # Inside a rectangular frame: a printed or on-screen picture, never a live person.
    framed: bool = False
    # Inside the held document found in the photo: that document's printed portrait.
    on_document: bool = False
    # The pixels the embedding is computed from and the face's box in them (default: `box`).
    pixels: np.ndarray | None = field(default=None, repr=False, compare=False)
    pixels_box: Box | None = field(default=None, repr=False, compare=False)
    _embedding: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def embedding(self) -> np.ndarray:
        if self._embedding is None:
            self._embedding = model.embed(self.pixels, self.pixels_box or self.box)
            self.pixels = None  # the image is not kept alive by a face that has its embedding
        return self._embedding

    def to_json(self) -> dict:
        return {"box": self.box.as_list(), "framed": self.framed, "on_document": self.on_document}


@dataclass
class FaceComparison:
    """One holding photo against the data-page portrait."""

    portrait_faces: int
    holding_faces: int
    portrait: Face | None
    person: Face | None
    held_portrait: Face | None
    distance: float | None
    score: float | None
    verdict: str
    document_in_hand: str
    # How document_in_hand was decided ("layout and text", "portrait", "mrz", ...).
    document_evidence: str
    # No live face, but a picture of one outside the held page: a print or a screen held up
    # where the person's face should be (or a page photographed alone, close up).
    picture_held_up: bool
    seconds: float = 0.0
    threshold: float = MATCH_THRESHOLD

    def to_json(self) -> dict:
        """The command's line: counts, score, threshold, verdict, document_in_hand, seconds."""
        return {
            "portrait_faces": self.portrait_faces,
            "holding_faces": self.holding_faces,
            "score": None if self.score is None else round(self.score, 4),
            "threshold": self.threshold,
            "verdict": self.verdict,
            "document_in_hand": self.document_in_hand,
            "picture_held_up": self.picture_held_up,
            "seconds": round(self.seconds, 3),
        }


def load_image(source) -> np.ndarray:
    """RGB pixels (uint8) of image bytes, a path or a PIL image, upright; UnreadableImage else."""
    try:
        if isinstance(source, Image.Image):
            image = source
        elif isinstance(source, bytes | bytearray):
            image = Image.open(io.BytesIO(source))
        else:
            image = Image.open(source)
        if image.size[0] * image.size[1] > MAX_PIXELS:
            raise UnreadableImage("image too large")
        image.load()
        image = ImageOps.exif_transpose(image)
        return np.asarray(image.convert("RGB"))
    except UnreadableImage:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise UnreadableImage(f"not a readable image ({type(error).__name__})") from None
    except Image.DecompressionBombError:
        raise UnreadableImage("image too large") from None


def distance_to_score(distance: float) -> float:
    return float(min(1.0, max(0.0, 1.0 - distance / 1.2)))


def verdict_for(score: float | None) -> str:
    if score is None:
        return VERDICT_NO_FACE
    if score >= MATCH_THRESHOLD:
        return VERDICT_MATCH
    if score >= UNSURE_THRESHOLD:
        return VERDICT_UNSURE
    return VERDICT_NO_MATCH


def _shrunk(pixels: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    """A copy at most `side` px on its longest side, and the factor back to the original."""
    height, width = pixels.shape[:2]
    factor = max(height, width) / side
    if factor <= 1:
        return pixels, 1.0
    small = Image.fromarray(pixels).resize(
        (round(width / factor), round(height / factor)), Image.Resampling.BILINEAR
    )
    return np.asarray(small), factor


def find_faces(rgb: np.ndarray, *, side: int = DETECT_SIDE, upsample: int = 0) -> list[Face]:
    """Every face in the image with its frame, largest first (embeddings on first use)."""
    grey = _grey(rgb)
    small, factor = _shrunk(grey, side)
    found = model.detect(small, upsample)
    if not found and upsample == 0:
        found = model.detect(small, 1)  # small or distant faces: the slower, finer search
    faces = []
    for box, _score in found:
        box = _clipped(box.scaled(factor), rgb.shape)
        if box.width < 8 or box.height < 8:
            continue
        faces.append(Face(box, framed=document.is_framed(grey, box), pixels=rgb))
    return faces


def has_person_face(rgb: np.ndarray) -> bool:
    """Whether a live face (not one in a picture frame) is in the image: the upload check."""
    grey = _grey(rgb)
    small, factor = _shrunk(grey, DETECT_SIDE)
    found = model.detect(small, 0) or model.detect(small, 1)
    return any(not document.is_framed(grey, box.scaled(factor)) for box, _ in found)


def _grey(rgb: np.ndarray) -> np.ndarray:
    """The image's grey (uint8): faces are searched on it (HOG on one channel costs a third
    less than on three, and shrinking it a third as much) and frames looked for."""
    return np.asarray(Image.fromarray(rgb).convert("L"))


def _clipped(box: Box, shape) -> Box:
    height, width = shape[:2]
    return Box(max(0, box.left), max(0, box.top), min(width, box.right), min(height, box.bottom))


def distance(a: Face, b: Face) -> float:
    return float(np.linalg.norm(a.embedding - b.embedding))


def portrait_face(faces: list[Face]) -> Face | None:
    """The data page's portrait: its largest face (a ghost image, if any, is smaller)."""
    return faces[0] if faces else None


def find_person_faces(rgb: np.ndarray, held: "document.HeldDocument | None" = None) -> list[Face]:
    """Faces in a holding photo, each marked on_document (inside the held page) or framed."""
    faces = find_faces(rgb)
    if held is not None:
        for face in faces:
            face.on_document = bool(held.contains(face.box))
    return faces


def compare_images(
    portrait_source,
    holding_source,
    *,
    read_document_number: Callable[[Image.Image], str | None] | None = None,
    page_number: str | None = None,
    portrait_faces: list[Face] | None = None,
) -> FaceComparison:
    """The holding photo's person against the data page's portrait, and the held document
    against the uploaded page.

    `read_document_number` (optional) reads a document number from an image (the MRZ reader);
    `page_number` is the uploaded page's number where already known. `portrait_faces` lets a
    caller comparing several holding photos find the portrait's faces once.
    """
    started = time.perf_counter()
    page = load_image(portrait_source)
    photo = load_image(holding_source)
    if portrait_faces is None:
        portrait_faces = find_faces(page)
    portrait = portrait_face(portrait_faces)

    # The MRZ, where legible, says which document is held; otherwise the page's layout is
    # looked for, which also tells which faces are printed on it.
    in_hand, page_number = document.by_mrz(page, photo, read_document_number, page_number)
    evidence = "mrz" if in_hand else ""
    held = None if in_hand else document.locate(page, photo)
    faces = find_person_faces(photo, held)
    held_portrait = None
    if held is not None:
        held_portrait = next((f for f in faces if f.on_document), None)
        if held_portrait is None:
            held_portrait = _portrait_inside(photo, held)
    live = [f for f in faces if not f.on_document and not f.framed]
    person = live[0] if live else None
    gap = distance(person, portrait) if person is not None and portrait is not None else None
    score = distance_to_score(gap) if gap is not None else None
    pictures = [f for f in faces if f.framed and not f.on_document]
    if not in_hand:
        if held is None:
            in_hand, evidence = document.NOT_FOUND, "not found"
        else:
            portrait_gap = distance(held_portrait, portrait) if held_portrait and portrait else None
            in_hand, evidence = document.judge(page, photo, held, portrait_gap)
    # The duplicate lookup keeps both embeddings, even when one has nothing to be compared
    # with: computed here, inside the time measured.
    for kept in (person, portrait):
        if kept is not None:
            _ = kept.embedding
    return FaceComparison(
        portrait_faces=len(portrait_faces),
        holding_faces=len(faces),
        portrait=portrait,
        person=person,
        held_portrait=held_portrait,
        distance=gap,
        score=score,
        # A person but no portrait face to compare with: a person must look.
        verdict=VERDICT_UNSURE if person is not None and portrait is None else verdict_for(score),
        document_in_hand=in_hand,
        document_evidence=evidence,
        picture_held_up=person is None and bool(pictures),
        seconds=time.perf_counter() - started,
    )


def _portrait_inside(photo: np.ndarray, held: "document.HeldDocument") -> Face | None:
    """The held page's printed portrait, searched closely inside the page's region (it is often
    too small for the search over the whole photo)."""
    left, top, right, bottom = held.bounds(photo.shape)
    if right - left < 40 or bottom - top < 40:
        return None
    crop = photo[top:bottom, left:right]
    # The page at 800 px wide: its portrait's face is then about 200 px, easy to find.
    scale = 800 / crop.shape[1]
    resized = np.asarray(
        Image.fromarray(crop).resize(
            (800, max(1, round(crop.shape[0] * scale))), Image.Resampling.BILINEAR
        )
    )
    found = model.detect(resized, 0)
    if not found:
        return None
    box = found[0][0]
    return Face(
        box.scaled(1 / scale, left, top),
        framed=True,
        on_document=True,
        pixels=resized,
        pixels_box=box,
    )
