"""Synthetic passport (TD3) and ID-card (TD1) images with ground truth.

Three levels: clean (flat scan), mild (small rotation, blur, JPEG, noise) and
hard (a phone photo of the document on a table: perspective, rotation up to
10 degrees, small characters, uneven light, glare, shadow, strong JPEG).

    .venv/bin/python -m benchmarks.mrz.generate --out /tmp/mrz-bench --count 100 --seed 7
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from verification.mrz import (
    FILLER,
    NAME_FIELD_LENGTH,
    compute_check_digit,
    format_yymmdd,
    mrz_name_field,
    normalize_name,
    parse_mrz,
)
from verification.mrz.parse import FRENCH_GIVEN_NAMES_LENGTH, FRENCH_SURNAME_LENGTH

LEVELS = ("clean", "mild", "hard")
OCRB_FONT_PATHS = ("/usr/share/fonts/opentype/ocr-b/OCRB.otf",)
TEXT_FONT_NAMES = ("DejaVu Sans", "Liberation Sans")

MRZ_PITCH_MM = 2.54  # ICAO 9303: 10 characters per inch
MRZ_LINE_SPACING_MM = 4.23
OCRB_ADVANCE_PER_EM = 0.723  # advance width of OCR-B glyphs relative to font size

COUNTRIES = (
    "D", "AUT", "CHE", "FRA", "ITA", "ESP", "NLD", "BEL", "POL", "SWE", "NOR", "DNK", "FIN", "GBR",
    "IRL", "USA", "CAN", "MEX", "BRA", "ARG", "JPN", "KOR", "CHN", "IND", "TUR", "GRC", "PRT",
    "CZE", "HUN", "ROU", "UKR", "ISL", "NZL", "AUS", "ZAF", "NGA", "EGY", "MAR", "VNM", "PHL",
)  # fmt: skip
SURNAMES = (
    "Müller", "Schröder", "Groß", "Jensen", "Åström", "Ødegård", "Núñez", "García Márquez",
    "O'Connor", "Smith-Jones", "van der Berg", "Nguyen", "Kowalski", "Dubois", "Rossi",
    "Papadopoulos", "Yılmaz", "Björk", "Sørensen", "Le Pen", "D'Angelo", "Tanaka", "Kim",
    "Li", "Ng",
    "Mäkinen", "Lindqvist", "Øverland", "Fernández de Córdoba y Aguilar",
    "Wolfeschlegelsteinhausen",
    "Hernández-Villanueva", "Abdelrahman", "Çelik", "Šťastný", "Eriksson", "Brown", "Wójcik",
)  # fmt: skip
GIVEN_NAMES = (
    "Anna", "Hans", "Jörg", "Zoë", "Élodie", "José", "Maria", "Jean-Luc", "Björn", "Sigrún",
    "Ælfric", "Mei", "Hiroshi", "Olga", "Peter", "Søren", "Ana Sofía", "Mohammed", "Chloé",
    "François", "Günther", "Ingrid", "Kai", "Li", "Ömer", "Renée", "Sven", "Tomás", "Ulrike",
)  # fmt: skip


@dataclass(frozen=True)
class GeneratedDocument:
    """One synthetic MRZ document: the MRZ lines plus what the printed page shows."""

    mrz_type: str
    lines: tuple[str, ...]
    surname: str
    given_names: str
    country: str


def find_font(names_or_paths: tuple[str, ...]) -> str:
    """Path of the first font found by path or by fc-match; raises FileNotFoundError if none."""
    for candidate in names_or_paths:
        if Path(candidate).is_file():
            return candidate
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{file}", candidate],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
        except FileNotFoundError:
            found = ""
        if found and Path(found).is_file() and candidate.split()[0].lower() in found.lower():
            return found
    raise FileNotFoundError(f"none of these fonts is installed: {', '.join(names_or_paths)}")


def find_ocrb_font() -> str:
    """Path of the OCR-B font (Debian package fonts-ocr-b); raises FileNotFoundError if missing."""
    try:
        return find_font(OCRB_FONT_PATHS + ("OCRB",))
    except FileNotFoundError:
        raise FileNotFoundError(
            "OCR-B font not found: install the Debian package fonts-ocr-b"
        ) from None


# --- document data -----------------------------------------------------------


def _random_number(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    length = rng.choice((9, 9, 9, 8, 7))
    number = "".join(rng.choice(alphabet) for _ in range(length))
    if rng.random() < 0.5:
        number = rng.choice("CFGHJKLMNPRTVWXYZ") + number[1:]
    return number.ljust(9, FILLER)


def _random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days))


def _random_person(rng: random.Random) -> tuple[str, str]:
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN_NAMES)
    roll = rng.random()
    if roll < 0.25:
        given = " ".join(rng.sample(GIVEN_NAMES, rng.choice((2, 3, 4))))
    elif roll < 0.35:
        surname = f"{surname}-{rng.choice(SURNAMES)}"
    return surname, given


def random_document(rng: random.Random, mrz_type: str, today: datetime.date) -> GeneratedDocument:
    """A random document of `mrz_type` ('TD1' or 'TD3') with correct check digits."""
    surname, given = _random_person(rng)
    country = rng.choice(COUNTRIES)
    nationality = country if rng.random() < 0.85 else rng.choice(COUNTRIES)
    number = _random_number(rng)
    birth = _random_date(rng, datetime.date(1935, 1, 1), today - datetime.timedelta(days=365 * 16))
    expiry = _random_date(
        rng, today - datetime.timedelta(days=700), today + datetime.timedelta(days=3650)
    )
    sex = rng.choice("MMFFFMX")
    sex_mrz = FILLER if sex == "X" else sex
    dob, exp = format_yymmdd(birth), format_yymmdd(expiry)
    name_length = NAME_FIELD_LENGTH[mrz_type]
    names = mrz_name_field(surname, given, name_length).ljust(name_length, FILLER)
    if mrz_type == "TD3":
        personal = "".join(rng.choice("0123456789") for _ in range(rng.choice((8, 10, 14))))
        personal = personal if rng.random() < 0.4 else ""
        subtype = rng.choice("<<<O")
        lines = _td3_lines(
            country, names, number, nationality, birth, sex, expiry, personal, subtype
        )
    else:
        optional1 = "".join(rng.choice("0123456789") for _ in range(rng.choice((0, 0, 5, 9))))
        optional1 = optional1.ljust(15, FILLER)
        line1 = f"I{rng.choice('<D')}{country:<<3}{number}{compute_check_digit(number)}{optional1}"
        line2 = (
            f"{dob}{compute_check_digit(dob)}{sex_mrz}{exp}{compute_check_digit(exp)}"
            f"{nationality:<<3}{FILLER * 11}"
        )
        composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
        lines = (line1, line2 + compute_check_digit(composite), names)
    return GeneratedDocument(mrz_type, lines, surname, given, country)


def _td3_lines(
    country: str,
    names: str,
    number: str,
    nationality: str,
    birth: datetime.date,
    sex: str,
    expiry: datetime.date,
    personal: str = "",
    subtype: str = FILLER,
) -> tuple[str, str]:
    """The two TD3 lines with correct check digits; `names` is the padded name field."""
    sex_mrz = FILLER if sex == "X" else sex
    dob, exp = format_yymmdd(birth), format_yymmdd(expiry)
    number = number.ljust(9, FILLER)
    personal = personal.ljust(14, FILLER)
    personal_check = compute_check_digit(personal) if personal.strip(FILLER) else FILLER
    line1 = f"P{subtype}{country:<<3}{names}"
    body = (
        f"{number}{compute_check_digit(number)}{nationality:<<3}{dob}{compute_check_digit(dob)}"
        f"{sex_mrz}{exp}{compute_check_digit(exp)}{personal}{personal_check}"
    )
    composite = body[0:10] + body[13:20] + body[21:43]
    return line1, body + compute_check_digit(composite)


def passport(
    surname: str,
    given_names: str,
    country: str,
    number: str,
    birth: datetime.date,
    sex: str,
    expiry: datetime.date,
) -> GeneratedDocument:
    """A TD3 passport with exactly these details (the demo's SPECIMEN people, for instance)."""
    names = mrz_name_field(surname, given_names, NAME_FIELD_LENGTH["TD3"])
    names = names.ljust(NAME_FIELD_LENGTH["TD3"], FILLER)
    lines = _td3_lines(country, names, number, country, birth, sex, expiry)
    return GeneratedDocument("TD3", lines, surname, given_names, country)


def french_identity_card(
    surname: str,
    given_names: str,
    number: str,
    birth: datetime.date,
    sex: str,
    office: str = "",
) -> GeneratedDocument:
    """France's 1994-2021 card (FR-ID) with these details: the surname cut to 25, the given
    names separated by << and cut to 14, `office` the 6-character issuing office (or none)."""
    family = normalize_name(surname, FRENCH_SURNAME_LENGTH)
    given = (FILLER * 2).join(normalize_name(name) for name in given_names.split())
    given = given[:FRENCH_GIVEN_NAMES_LENGTH].ljust(FRENCH_GIVEN_NAMES_LENGTH, FILLER)
    line1 = f"IDFRA{family:<<{FRENCH_SURNAME_LENGTH}}{office:<<6}"
    dob = format_yymmdd(birth)
    line2 = f"{number}{compute_check_digit(number)}{given}{dob}{compute_check_digit(dob)}{sex}"
    lines = (line1, line2 + compute_check_digit(line1 + line2))
    return GeneratedDocument("FR-ID", lines, surname, given_names, "FRA")


def ground_truth(document: GeneratedDocument, today: datetime.date) -> dict:
    """The fields a perfect reader returns, JSON-ready (dates as YYYY-MM-DD)."""
    fields = parse_mrz(list(document.lines), today=today)
    assert fields.valid, "generator produced an MRZ with a wrong check digit"
    return {
        "mrz_type": fields.mrz_type,
        "document_type": fields.document_type,
        "country": fields.country,
        "number": fields.number,
        "date_of_birth": fields.date_of_birth.isoformat(),
        "expiration_date": fields.expiration_date.isoformat(),
        "nationality": fields.nationality,
        "sex": fields.sex,
        "surname": fields.surname,
        "names": fields.names,
        "raw_text": "\n".join(document.lines),
    }


# --- rendering ---------------------------------------------------------------


def _pale_background(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    width, height = size
    base = np.array([rng.randint(225, 248), rng.randint(228, 248), rng.randint(215, 245)], float)
    yy, xx = np.mgrid[0:height, 0:width].astype(float)
    page = np.ones((height, width, 3)) * base
    # Guilloche-like security pattern: faint interfering sine curves.
    for _ in range(3):
        freq, phase, amp = rng.uniform(0.01, 0.04), rng.uniform(0, 6.3), rng.uniform(10, 40)
        wave = np.sin((yy + amp * np.sin(xx * freq + phase)) * rng.uniform(0.08, 0.2))
        tint = np.array([rng.uniform(-14, 4) for _ in range(3)])
        page += (wave[..., None] > 0.92) * tint
    return Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))


def render_document(
    document: GeneratedDocument, rng: random.Random, px_per_mm: float
) -> Image.Image:
    """A flat, upright rendering of the data page (TD3) or card back (TD1)."""
    is_card = document.mrz_type == "TD1"
    width_mm, height_mm = (85.6, 54.0) if is_card else (125.0, 88.0)
    size = (round(width_mm * px_per_mm), round(height_mm * px_per_mm))
    page = _pale_background(rng, size)
    draw = ImageDraw.Draw(page)
    text_font_path = find_font(TEXT_FONT_NAMES)

    def mm(value: float) -> int:
        return round(value * px_per_mm)

    def font(size_mm: float) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(text_font_path, max(6, mm(size_mm)))

    ink = (rng.randint(20, 60), rng.randint(20, 60), rng.randint(30, 80))
    label_ink = (110, 110, 130)
    if is_card:
        draw.text((mm(4), mm(3)), "RESIDENCE / ADRESSE", font=font(1.6), fill=label_ink)
        draw.text((mm(4), mm(5.5)), f"{rng.randint(1, 200)} HAUPTSTRASSE", font=font(2.4), fill=ink)
        draw.text(
            (mm(4), mm(9)), f"{rng.randint(10000, 99999)} SOMEWHERE", font=font(2.4), fill=ink
        )
        draw.text((mm(4), mm(13.5)), "AUTHORITY / AUTORITÉ", font=font(1.6), fill=label_ink)
        draw.text((mm(4), mm(16)), f"CITY OF {document.country}", font=font(2.4), fill=ink)
        draw.rectangle((mm(60), mm(3), mm(81), mm(17)), outline=label_ink, width=max(1, mm(0.3)))
    else:
        draw.text((mm(6), mm(3)), "PASSPORT / PASSEPORT / REISEPASS", font=font(3.2), fill=ink)
        photo = (mm(6), mm(12), mm(38), mm(52))
        draw.rectangle(photo, fill=(rng.randint(150, 200),) * 3)
        cx = (photo[0] + photo[2]) // 2
        draw.ellipse((cx - mm(8), mm(19), cx + mm(8), mm(39)), fill=(90, 80, 75))
        draw.chord((cx - mm(14), mm(40), cx + mm(14), mm(66)), 180, 360, fill=(60, 60, 70))
        fields = (
            ("Surname / Nom", document.surname.upper()),
            ("Given names / Prénoms", document.given_names.upper()),
            ("Nationality / Nationalité", document.lines[1][10:13].strip(FILLER)),
            ("Date of birth / Date de naissance", document.lines[1][13:19]),
            ("Passport No. / No. du passeport", document.lines[1][0:9].strip(FILLER)),
        )
        for row, (label, value) in enumerate(fields):
            top = 12 + row * 8.4
            draw.text((mm(43), mm(top)), label, font=font(1.8), fill=label_ink)
            draw.text((mm(43), mm(top + 2.6)), value[:34], font=font(3.0), fill=ink)
        draw.text((mm(95), mm(3)), document.country, font=font(4.0), fill=ink)

    ocrb = ImageFont.truetype(
        find_ocrb_font(), round(MRZ_PITCH_MM * px_per_mm / OCRB_ADVANCE_PER_EM)
    )
    line_count = len(document.lines)
    mrz_width_mm = len(document.lines[0]) * MRZ_PITCH_MM
    left = mm((width_mm - mrz_width_mm) / 2 + rng.uniform(-0.8, 0.8))
    bottom_mm = height_mm - rng.uniform(3.5, 5.0)
    mrz_ink = (rng.randint(0, 40),) * 3
    for index, line in enumerate(document.lines):
        baseline_mm = bottom_mm - (line_count - 1 - index) * MRZ_LINE_SPACING_MM
        draw.text((left, mm(baseline_mm)), line, font=ocrb, fill=mrz_ink, anchor="ls")
    return page


# --- degradations ------------------------------------------------------------


def _to_rgb_array(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=float)


def _from_array(array: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))


def _add_noise(image: Image.Image, rng: random.Random, sigma: float) -> Image.Image:
    noise = np.random.default_rng(rng.randrange(2**32)).normal(
        0, sigma, (image.height, image.width, 1)
    )
    return _from_array(_to_rgb_array(image) + noise)


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    import io

    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _smooth_noise(np_rng: np.random.Generator, shape: tuple[int, int], cell: int) -> np.ndarray:
    """Values 0..1 varying smoothly over about `cell` pixels."""
    height, width = shape
    coarse = (np_rng.random((height // cell + 1, width // cell + 1)) * 255).astype(np.uint8)
    return np.asarray(Image.fromarray(coarse).resize((width, height), Image.BICUBIC), float) / 255


def _table_texture(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Wood, stone or fabric-like desk surface."""
    width, height = size
    np_rng = np.random.default_rng(rng.randrange(2**32))
    yy, xx = np.mgrid[0:height, 0:width].astype(float)
    kind = rng.choice(("wood", "wood", "stone", "fabric"))
    if kind == "wood":
        base = np.array([rng.uniform(90, 170), rng.uniform(55, 110), rng.uniform(25, 70)])
        grain_noise = _smooth_noise(np_rng, (height, width), 16)
        angle = rng.uniform(0, np.pi)
        coord = xx * np.cos(angle) + yy * np.sin(angle)
        grain = np.sin(coord * rng.uniform(0.05, 0.12) + grain_noise * 3)
        shade = 1 + 0.18 * grain + 0.05 * np_rng.normal(0, 1, (height, width))
        texture = shade[..., None] * base
    elif kind == "stone":
        base = np.array([rng.uniform(120, 200)] * 3) + np.array(
            [rng.uniform(-10, 10) for _ in range(3)]
        )
        speckle = np_rng.normal(0, 1, (height, width))
        blotch = _smooth_noise(np_rng, (height, width), 40)
        texture = (1 + 0.08 * speckle[..., None] + 0.2 * (blotch[..., None] - 0.5)) * base
    else:
        base = np.array([rng.uniform(40, 120), rng.uniform(40, 120), rng.uniform(40, 140)])
        weave = np.sin(xx * 0.9) * np.sin(yy * 0.9)
        texture = (
            1 + 0.12 * weave[..., None] + 0.06 * np_rng.normal(0, 1, (height, width, 1))
        ) * base
    return _from_array(texture)


def _perspective_coefficients(source: list, target: list) -> list[float]:
    """Coefficients for PIL's PERSPECTIVE transform mapping target points back to source points."""
    matrix, vector = [], []
    for (sx, sy), (tx, ty) in zip(source, target, strict=True):
        matrix.append([tx, ty, 1, 0, 0, 0, -sx * tx, -sx * ty])
        matrix.append([0, 0, 0, tx, ty, 1, -sy * tx, -sy * ty])
        vector += [sx, sy]
    return list(np.linalg.solve(np.array(matrix, float), np.array(vector, float)))


def _lighting(image: Image.Image, rng: random.Random) -> Image.Image:
    """Uneven light, a soft shadow and a glare spot, like a phone photo under a lamp."""
    array = _to_rgb_array(image)
    height, width = array.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width].astype(float)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (xx * np.cos(angle) + yy * np.sin(angle)) / max(width, height)
    gain = rng.uniform(0.75, 0.95) + rng.uniform(0.1, 0.3) * (ramp - ramp.min())
    array *= gain[..., None]
    if rng.random() < 0.6:
        # A soft-edged shadow (a hand or the phone) over one side.
        edge = rng.uniform(0.2, 0.8)
        shadow_angle = rng.uniform(0, 2 * np.pi)
        side = (
            (xx / width - 0.5) * np.cos(shadow_angle) + (yy / height - 0.5) * np.sin(shadow_angle)
        ) - (edge - 0.5)
        mask = 1 / (1 + np.exp(-side * rng.uniform(15, 40)))
        array *= (1 - rng.uniform(0.25, 0.45) * mask)[..., None]
    if rng.random() < 0.7:
        gx, gy = rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height
        radius = rng.uniform(0.06, 0.16) * max(width, height)
        glare = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * radius**2))
        array += rng.uniform(50, 110) * glare[..., None]
    return _from_array(array)


def degrade(document: GeneratedDocument, level: str, rng: random.Random) -> Image.Image:
    """Render `document` and apply the distortions of `level` ('clean', 'mild' or 'hard')."""
    if level == "clean":
        return render_document(document, rng, rng.uniform(9.5, 12.0)).convert("RGB")
    if level == "mild":
        page = render_document(document, rng, rng.uniform(8.0, 11.0))
        angle = rng.uniform(-2.0, 2.0) + (180 if rng.random() < 0.1 else 0)
        border = (rng.randint(200, 235),) * 3
        page = page.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=border)
        page = page.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
        page = _add_noise(page, rng, rng.uniform(2, 6))
        return _jpeg(page, rng.randint(55, 85))
    if level != "hard":
        raise ValueError(f"unknown level {level!r}")
    return _phone_photo(document, rng)


def _phone_photo(document: GeneratedDocument, rng: random.Random) -> Image.Image:
    page = render_document(document, rng, 12.0)
    canvas_size = (1280, 960) if rng.random() < 0.7 else (1024, 768)
    canvas = _table_texture(rng, canvas_size)
    cw, ch = canvas_size
    pw, ph = page.size
    # Characters 12-19 px apart: small, as in a photo taken from arm's length.
    target_pitch = rng.uniform(12.0, 19.0)
    scale = target_pitch / (MRZ_PITCH_MM * 12.0)
    scale = min(scale, 0.92 * cw / pw, 0.92 * ch / ph)
    return photograph(page, canvas, scale, rng)


def photograph(
    page: Image.Image,
    canvas: Image.Image,
    scale: float,
    rng: random.Random,
    max_angle: float = 10.0,
    upside_down_share: float = 0.1,
    corner_shift: float = 0.05,
    jpeg_quality: tuple[int, int] = (30, 55),
) -> Image.Image:
    """`page` photographed lying on `canvas` (a table): shrunk by `scale`, turned by up to
    `max_angle` degrees (upside down at `upside_down_share`), each corner moved by up to
    `corner_shift` of the page size (perspective), uneven light, a soft shadow, a glare spot,
    blur, noise and a strong JPEG."""
    canvas_size = canvas.size
    cw, ch = canvas_size
    pw, ph = page.size
    angle = np.deg2rad(
        rng.uniform(-max_angle, max_angle) + (180 if rng.random() < upside_down_share else 0)
    )
    half = (
        np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]])
        * scale
    )
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    corners = half @ rotation.T
    span = corners.max(axis=0) - corners.min(axis=0)
    room = np.maximum(np.array([cw, ch]) - span, 0) / 2
    center = np.array([cw / 2, ch / 2]) + [
        rng.uniform(-0.8, 0.8) * room[0],
        rng.uniform(-0.8, 0.8) * room[1],
    ]
    # Perspective: move each corner independently by up to corner_shift of the document size.
    jitter = (
        np.array([[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(4)])
        * corner_shift
        * span.mean()
    )
    target = corners + center + jitter
    source = [(0, 0), (pw, 0), (pw, ph), (0, ph)]
    coefficients = _perspective_coefficients(source, [tuple(p) for p in target])
    warped = page.transform(canvas_size, Image.PERSPECTIVE, coefficients, Image.BICUBIC)
    mask = Image.new("L", page.size, 255).transform(canvas_size, Image.PERSPECTIVE, coefficients)
    # A drop shadow under the document lifts it off the table.
    shadow = mask.filter(ImageFilter.GaussianBlur(8)).point(lambda v: int(v * 0.5))
    offset = Image.new("L", canvas_size, 0)
    offset.paste(shadow, (rng.randint(2, 10), rng.randint(2, 10)))
    canvas = Image.composite(Image.new("RGB", canvas_size, (20, 20, 20)), canvas, offset)
    canvas = Image.composite(warped, canvas, mask)
    canvas = _lighting(canvas, rng)
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.1)))
    canvas = _add_noise(canvas, rng, rng.uniform(3, 8))
    return _jpeg(canvas, rng.randint(*jpeg_quality))


# --- data set ----------------------------------------------------------------


def generate_dataset(
    out_dir: Path | str,
    count: int,
    seed: int = 7,
    levels: tuple[str, ...] = LEVELS,
    today: datetime.date | None = None,
) -> list[dict]:
    """Write `count` images per level and manifest.json into `out_dir`; returns the rows."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    today = today or datetime.date.today()
    manifest = []
    for level in levels:
        for index in range(count):
            # One generator per image: any image can be regenerated alone.
            rng = random.Random(f"{seed}-{level}-{index}")
            mrz_type = "TD1" if rng.random() < 0.3 else "TD3"
            document = random_document(rng, mrz_type, today)
            image = degrade(document, level, rng)
            suffix = "png" if level == "clean" else "jpg"
            name = f"{level}-{index:04d}.{suffix}"
            if suffix == "png":
                image.save(out_dir / name)
            else:
                image.save(out_dir / name, quality=95)
            manifest.append({"file": name, "level": level, **ground_truth(document, today)})
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory for images and manifest.json")
    parser.add_argument("--count", type=int, default=100, help="images per level")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--levels", default=",".join(LEVELS))
    args = parser.parse_args()
    rows = generate_dataset(args.out, args.count, args.seed, tuple(args.levels.split(",")))
    print(f"wrote {len(rows)} images to {args.out}")


if __name__ == "__main__":
    main()
