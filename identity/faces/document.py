"""The document in the hand: where the uploaded page is in the holding photo, whether it is the
same page, and whether a face sits in a picture frame.

The page is located by its layout (ORB keypoints of the uploaded page matched into the photo,
a projective transform fitted with RANSAC), then judged by its content: its MRZ where a reader is
given and can read it, else the photo's page warped back onto the upload and their text
compared patch by patch, and its printed portrait against the upload's. Layout alone would
call any passport of the same country "the same".
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image
from skimage import feature, measure, transform

from .model import Box

SAME = "same"
DIFFERENT = "different"
NOT_FOUND = "not_found"

# Working sizes on the longest side: the photo, and the upload's page tried at two sizes (a
# held page fills a third to a half of a holding photo). PAGE_SIDE: the text comparison.
PHOTO_SIDE = 800
PAGE_SIDES = (340, 480)
PAGE_SIDE = 400
PHOTO_KEYPOINTS = 800
PAGE_KEYPOINTS = 400
MIN_INLIERS = 14
# Mean patch correlation of the held page's text with the upload's: the same page, warped back
# from a photo, correlates above this; another page with the same layout stays well under it.
SAME_TEXT_CORRELATION = 0.55
# A held page's printed portrait this far from the upload's is another person's page.
PORTRAIT_DIFFERENT_DISTANCE = 0.6


@dataclass
class HeldDocument:
    """The uploaded page found in the photo: page pixels -> photo pixels, and its corners."""

    page_to_photo: transform.ProjectiveTransform
    corners: np.ndarray  # 4 x 2, photo pixels
    inliers: int

    def contains(self, box: Box) -> bool:
        x, y = box.centre
        return measure.points_in_poly(np.array([[x, y]]), self.corners)[0]

    def bounds(self, shape) -> tuple[int, int, int, int]:
        height, width = shape[:2]
        left, top = np.floor(self.corners.min(axis=0)).astype(int)
        right, bottom = np.ceil(self.corners.max(axis=0)).astype(int)
        return max(0, left), max(0, top), min(width, right), min(height, bottom)


def _grey_small(rgb: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    height, width = rgb.shape[:2]
    factor = max(1.0, max(height, width) / side)
    image = Image.fromarray(rgb).convert("L")
    if factor > 1:
        image = image.resize(
            (round(width / factor), round(height / factor)), Image.Resampling.BILINEAR
        )
    return np.asarray(image, dtype=np.float32) / 255.0, factor


def _keypoints(grey: np.ndarray, count: int):
    orb = feature.ORB(n_keypoints=count, fast_threshold=0.03, downscale=1.25, n_scales=8)
    try:
        orb.detect_and_extract(grey)
    except (RuntimeError, ValueError, IndexError):
        return None, None  # a flat image has no keypoints
    return orb.keypoints, orb.descriptors


def locate(page_rgb: np.ndarray, photo_rgb: np.ndarray) -> HeldDocument | None:
    """The uploaded page in the photo, or None when its layout is not there."""
    photo, photo_factor = _grey_small(photo_rgb, PHOTO_SIDE)
    photo_points, photo_descriptors = _keypoints(photo, PHOTO_KEYPOINTS)
    if photo_descriptors is None:
        return None
    # ORB's pyramid spans sizes, but matches best near the held page's own size in the photo.
    for side in PAGE_SIDES:
        page, page_factor = _grey_small(page_rgb, side)
        page_points, page_descriptors = _keypoints(page, PAGE_KEYPOINTS)
        if page_descriptors is None:
            return None
        pairs = feature.match_descriptors(
            page_descriptors, photo_descriptors, cross_check=True, max_ratio=0.85
        )
        if len(pairs) < MIN_INLIERS:
            continue
        # ORB gives (row, column); transforms work in (x, y).
        source = page_points[pairs[:, 0]][:, ::-1] * page_factor
        target = photo_points[pairs[:, 1]][:, ::-1] * photo_factor
        fitted, inliers = measure.ransac(
            (source, target),
            transform.ProjectiveTransform,
            min_samples=4,
            residual_threshold=3.0 * photo_factor,
            max_trials=400,
            rng=np.random.default_rng(0),  # the same photo gives the same answer every time
        )
        if fitted is None or inliers is None or inliers.sum() < MIN_INLIERS:
            continue
        height, width = page_rgb.shape[:2]
        corners = fitted(np.array([[0, 0], [width, 0], [width, height], [0, height]], float))
        if _plausible(corners, photo_rgb.shape):
            return HeldDocument(fitted, corners, int(inliers.sum()))
    return None


def _plausible(corners: np.ndarray, shape) -> bool:
    """A convex quadrilateral of sensible size: a held page, not a fit to three keypoints."""
    edges = np.roll(corners, -1, axis=0) - corners
    cross = (
        edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1]
        - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    )
    if not (np.all(cross > 0) or np.all(cross < 0)):
        return False
    area = 0.5 * abs(
        np.dot(corners[:, 0], np.roll(corners[:, 1], 1))
        - np.dot(corners[:, 1], np.roll(corners[:, 0], 1))
    )
    return 0.01 <= area / (shape[0] * shape[1]) <= 1.5


def text_correlation(page_rgb: np.ndarray, photo_rgb: np.ndarray, held: HeldDocument) -> float:
    """Mean correlation, patch by patch, of the upload's page and the photo's page warped back
    onto it (portrait area left out: it is judged as a face)."""
    page, factor = _grey_small(page_rgb, PAGE_SIDE)
    scale = transform.AffineTransform(scale=factor)  # small page -> full page pixels
    photo_grey = np.asarray(Image.fromarray(photo_rgb).convert("L"), dtype=np.float32) / 255.0
    warped = transform.warp(
        photo_grey, _compose(scale, held), output_shape=page.shape, order=1, preserve_range=True
    )
    from scipy import ndimage

    page = ndimage.gaussian_filter(page, 1.0)
    warped = ndimage.gaussian_filter(warped, 1.0)
    height, width = page.shape
    rows, columns = 6, 8
    scores = []
    for row in range(rows):
        for column in range(columns):
            top, left = row * height // rows, column * width // columns
            if column < 3 and 1 <= row <= 4:
                continue  # the portrait
            a = page[top : top + height // rows, left : left + width // columns].ravel()
            b = warped[top : top + height // rows, left : left + width // columns].ravel()
            if a.std() < 0.02:
                continue  # a blank patch says nothing
            scores.append(float(np.corrcoef(a, b)[0, 1]) if b.std() > 1e-6 else 0.0)
    return float(np.mean(scores)) if scores else 0.0


def _compose(scale: transform.AffineTransform, held: HeldDocument):
    """small page pixels -> photo pixels."""
    return transform.ProjectiveTransform(held.page_to_photo.params @ scale.params)


def by_mrz(
    page_rgb: np.ndarray,
    photo_rgb: np.ndarray,
    read_document_number: Callable[[Image.Image], str | None] | None,
    page_number: str | None,
) -> tuple[str, str | None]:
    """(same / different, the page's number) when the MRZ in the photo is legible, else
    ("", the page's number). The page's number is read here unless the caller knows it."""
    if read_document_number is None:
        return "", page_number
    if not page_number:
        page_number = read_document_number(Image.fromarray(page_rgb))
    if not page_number:
        return "", None
    number = read_document_number(Image.fromarray(photo_rgb))
    if not number:
        return "", page_number
    return (SAME if number == page_number else DIFFERENT), page_number


def judge(
    page_rgb: np.ndarray, photo_rgb: np.ndarray, held: HeldDocument, portrait_gap: float | None
) -> tuple[str, str]:
    """(same / different, the evidence) for a page found in the photo by its layout."""
    if portrait_gap is not None and portrait_gap > PORTRAIT_DIFFERENT_DISTANCE:
        return DIFFERENT, "portrait"
    if text_correlation(page_rgb, photo_rgb, held) >= SAME_TEXT_CORRELATION:
        return SAME, "layout and text"
    return DIFFERENT, "text"


# --- pictures of faces -----------------------------------------------------------------------


def is_framed(grey: np.ndarray, box: Box) -> bool:
    """Whether straight edges enclose the face on at least three sides, close around it: a
    photograph, a printed page or a screen, not a head in a room."""
    size = max(box.width, box.height)
    margin = size
    height, width = grey.shape
    left, top = max(0, box.left - margin), max(0, box.top - margin)
    right, bottom = min(width, box.right + margin), min(height, box.bottom + margin)
    crop = grey[top:bottom, left:right]
    if crop.size == 0:
        return False
    factor = 64 / size  # the face at 64 px: edges at a scale independent of the photo's
    small = np.asarray(
        Image.fromarray(crop.astype(np.uint8)).resize(
            (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor))),
            Image.Resampling.BILINEAR,
        ),
        dtype=np.float32,
    )
    edges = feature.canny(small, sigma=1.5, low_threshold=8, high_threshold=20)
    lines = transform.probabilistic_hough_line(
        edges, threshold=10, line_length=40, line_gap=3, rng=0
    )
    face = box.scaled(1.0, -left, -top).scaled(factor)
    sides = set()
    for (x0, y0), (x1, y1) in lines:
        dx, dy = x1 - x0, y1 - y0
        horizontal = abs(dy) <= abs(dx) * 0.3
        vertical = abs(dx) <= abs(dy) * 0.3
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        if horizontal and face.left - 10 <= mx <= face.right + 10:
            if my < face.top - 2:
                sides.add("top")
            elif my > face.bottom + 2:
                sides.add("bottom")
        elif vertical and face.top - 10 <= my <= face.bottom + 10:
            if mx < face.left - 2:
                sides.add("left")
            elif mx > face.right + 2:
                sides.add("right")
    return len(sides) >= 3
