"""Cutting a straightened MRZ band into its text lines and fixed-pitch character cells."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .glyphs import SEARCH_MARGIN, antialias_sigma, cell_offsets

LINE_LENGTHS = {2: (44, 36), 3: (30,)}
# OCR-B ink covers about 0.68 of the pitch; the line's ink ends half of that inside the cells.
INK_WIDTH_PER_PITCH = 0.68


@dataclass(frozen=True)
class Component:
    top: float
    bottom: float
    left: float
    right: float

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def cx(self) -> float:
        return (self.left + self.right) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class LineGeometry:
    """Where the cells of one MRZ line are: centre x, baseline y, pitch and character height."""

    centers_x: np.ndarray
    baseline_y: np.ndarray
    pitches: np.ndarray
    height: float
    slope: float


def find_components(ink: np.ndarray) -> list[Component]:
    """Connected ink blobs above an Otsu-like threshold."""
    threshold = _otsu(ink[ink > 0.05]) if np.count_nonzero(ink > 0.05) > 50 else 0.5
    labels, count = ndimage.label(ink > max(threshold, 0.2))
    boxes = ndimage.find_objects(labels)
    return [
        Component(s[0].start, s[0].stop, s[1].start, s[1].stop)
        for s in boxes
        if s is not None and (s[0].stop - s[0].start) >= 3
    ]


def _otsu(values: np.ndarray) -> float:
    histogram, edges = np.histogram(values, bins=64, range=(0, 1))
    centers = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(histogram)
    mean = np.cumsum(histogram * centers)
    total, total_mean = weight[-1], mean[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total_mean * weight - mean * total) ** 2 / (weight * (total - weight))
    return float(centers[np.nanargmax(between)])


def group_lines(components: list[Component], band_width: int) -> list[list[Component]]:
    """Text lines (top to bottom) of character-sized blobs, found along the dominant skew."""
    if len(components) < 10:
        return []
    heights = np.array([c.height for c in components])
    typical = np.percentile(heights, 75)
    chars = [
        c
        for c in components
        if 0.45 * typical <= c.height <= 1.8 * typical and c.width < 6 * typical
    ]
    if len(chars) < 10:
        return []
    best_lines: list[list[Component]] = []
    best_spread = np.inf
    for slope in np.linspace(-0.06, 0.06, 25):
        lines = _cluster_rows(chars, slope, band_width)
        if sum(len(line) for line in lines) < 0.6 * len(chars):
            continue
        # The true skew gives tight rows: blobs sit close to their row's median.
        deviations = []
        for line in lines:
            keys = np.array([c.cy - slope * (c.cx - band_width / 2) for c in line])
            deviations.append(np.abs(keys - np.median(keys)))
        spread = float(np.mean(np.concatenate(deviations)))
        if spread < best_spread:
            best_spread, best_lines = spread, lines
    return best_lines


def _cluster_rows(chars: list[Component], slope: float, band_width: int) -> list[list[Component]]:
    keyed = sorted(chars, key=lambda c: c.cy - slope * (c.cx - band_width / 2))
    typical = float(np.median([c.height for c in chars]))
    lines, current, last_key = [], [], None
    for comp in keyed:
        key = comp.cy - slope * (comp.cx - band_width / 2)
        if last_key is not None and key - last_key > 0.5 * typical:
            lines.append(current)
            current = []
        current.append(comp)
        last_key = key
    lines.append(current)
    return [line for line in lines if len(line) >= 5]


def select_mrz_lines(lines: list[list[Component]]) -> list[list[Component]]:
    """The 2 or 3 consecutive long lines that make up the MRZ (bottom-most when in doubt)."""
    if not lines:
        return []
    counts = np.array([len(line) for line in lines])
    long_lines = [i for i, n in enumerate(counts) if n >= max(12, 0.55 * counts.max())]
    if len(long_lines) >= 3 and long_lines[-3:] == list(range(long_lines[-3], long_lines[-3] + 3)):
        candidates = long_lines[-3:]
        spans = [_span(lines[i]) for i in candidates]
        # Three lines of equal length are a TD1; otherwise keep the bottom two.
        if min(spans) > 0.85 * max(spans):
            return [lines[i] for i in candidates]
        return [lines[i] for i in candidates[-2:]]
    if len(long_lines) >= 2:
        return [lines[i] for i in long_lines[-2:]]
    return []


def _span(line: list[Component]) -> float:
    return max(c.right for c in line) - min(c.left for c in line)


def _robust_polyfit(x: np.ndarray, y: np.ndarray, degree: int, tolerance: float) -> np.ndarray:
    coefficients = np.polyfit(x, y, degree)
    for _ in range(3):
        residual = y - np.polyval(coefficients, x)
        keep = np.abs(residual) <= max(tolerance, 2.5 * np.median(np.abs(residual)))
        if keep.sum() < degree + 2:
            break
        coefficients = np.polyfit(x[keep], y[keep], degree)
    return coefficients


def _walk_cells(components: list[Component], pitch: float) -> tuple[list[float], list[float], int]:
    """Cell index and centre x of single-character blobs, counting cells from the left edge.

    The local pitch is updated as we go, so the count survives perspective; blobs
    holding several merged characters (filler runs) advance the count by their width.
    """
    index: list[float] = []
    center_x: list[float] = []
    local = pitch
    next_index = 0
    previous_last_center = None
    for comp in components:
        chars = max(1, round((comp.width + (1 - INK_WIDTH_PER_PITCH) * local) / local))
        first_center = comp.left + INK_WIDTH_PER_PITCH * local / 2
        last_center = comp.right - INK_WIDTH_PER_PITCH * local / 2
        if previous_last_center is not None:
            gap = first_center - previous_last_center
            steps = max(1, round(gap / local))
            if steps == 1 and chars == 1 and 0.75 * local < gap < 1.25 * local:
                local = 0.8 * local + 0.2 * gap
            next_index += steps
        if chars == 1:
            index.append(next_index)
            center_x.append(comp.cx)
        next_index += chars - 1
        previous_last_center = last_center if chars > 1 else comp.cx
    return index, center_x, next_index + 1


def fit_line_geometry(line: list[Component], length: int) -> LineGeometry | None:
    """Fit `length` equally spaced cells (with mild perspective) to the blobs of one line."""
    heights = np.array([c.height for c in line])
    height = float(np.percentile(heights, 90))
    usable = [c for c in line if 0.5 * height <= c.height <= 1.4 * height]
    if len(usable) < 5:
        return None
    usable.sort(key=lambda c: c.left)
    for _ in range(4):
        left, right = usable[0].left, usable[-1].right
        pitch = (right - left) / (length - 1 + INK_WIDTH_PER_PITCH)
        if pitch <= 2:
            return None
        index, center_x, cell_count = _walk_cells(usable, pitch)
        if len(index) >= 6 and abs(cell_count - length) <= 1:
            break
        if cell_count < length or len(usable) < 8:
            return None
        # Too many cells: a stray blob (document edge, shadow, noise) sits at one end.
        left_gap = usable[1].left - usable[0].right
        right_gap = usable[-1].left - usable[-2].right
        usable = usable[1:] if left_gap > right_gap else usable[:-1]
    else:
        return None
    index_arr = np.array(index, float)
    # Perspective makes the pitch drift along the line: allow a quadratic when well supported.
    degree = 2 if len(set(index)) >= 0.4 * length else 1
    coefficients = _robust_polyfit(index_arr, np.array(center_x), degree, 0.15 * pitch)
    cells = np.arange(length, dtype=float)
    centers = np.polyval(coefficients, cells)
    pitches = np.polyval(np.polyder(coefficients), cells)
    if np.any(pitches <= 2):
        return None

    # Baseline from blob bottoms; filler '<' sits higher, so favour the lowest bottoms.
    xs = np.array([c.cx for c in usable])
    bottoms = np.array([c.bottom for c in usable])
    baseline = np.polyfit(xs, bottoms, 1)
    for _ in range(3):
        residual = bottoms - np.polyval(baseline, xs)
        keep = residual > -0.06 * height
        if keep.sum() < 4:
            break
        baseline = np.polyfit(xs[keep], bottoms[keep], 1 if keep.sum() < 12 else 2)
    baseline_y = np.polyval(baseline, centers)
    slope = float(np.polyval(np.polyder(baseline), centers.mean()))
    return LineGeometry(centers, baseline_y, pitches, height, slope)


def sample_cells(ink: np.ndarray, geometry: LineGeometry, height_scale: float = 1.0) -> np.ndarray:
    """Raster of every cell of the line with a search margin, shape (cells, rows+2m, cols+2m)."""
    height = geometry.height * height_scale
    mean_pitch = float(np.mean(geometry.pitches))
    sigma = antialias_sigma(height, mean_pitch)
    source = ndimage.gaussian_filter(ink, sigma) if sigma > 0 else ink
    angle = np.arctan(geometry.slope)
    direction = np.array([np.cos(angle), np.sin(angle)])  # (x, y)
    normal = np.array([-np.sin(angle), np.cos(angle)])
    patches_x, patches_y = [], []
    for cx, by, pitch in zip(
        geometry.centers_x, geometry.baseline_y, geometry.pitches, strict=True
    ):
        along, across = cell_offsets(height, pitch, SEARCH_MARGIN)
        grid_along = along[None, :]
        grid_across = across[:, None]
        patches_x.append(cx + grid_along * direction[0] + grid_across * normal[0])
        patches_y.append(by + grid_along * direction[1] + grid_across * normal[1])
    xs = np.array(patches_x)
    ys = np.array(patches_y)
    return ndimage.map_coordinates(source, [ys, xs], order=1, mode="constant", cval=0.0)


def refine_geometry(
    geometry: LineGeometry, shift_along: np.ndarray, shift_across: np.ndarray, height_scale: float
) -> LineGeometry:
    """Re-fit cell centres and baseline after moving each cell by where its glyph matched best."""
    cells = np.arange(len(geometry.centers_x), dtype=float)
    mean_pitch = float(np.mean(geometry.pitches))
    moved_x = geometry.centers_x + shift_along
    centers_fit = _robust_polyfit(cells, moved_x, 2, 0.12 * mean_pitch)
    centers = np.polyval(centers_fit, cells)
    pitches = np.polyval(np.polyder(centers_fit), cells)
    if np.any(pitches <= 0.7 * mean_pitch) or np.any(pitches >= 1.3 * mean_pitch):
        return geometry
    moved_y = geometry.baseline_y + shift_across
    baseline_fit = _robust_polyfit(moved_x, moved_y, 2, 0.08 * geometry.height)
    baseline_y = np.polyval(baseline_fit, centers)
    slope = float(np.polyval(np.polyder(baseline_fit), centers.mean()))
    return LineGeometry(centers, baseline_y, pitches, geometry.height * height_scale, slope)
