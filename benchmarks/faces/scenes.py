"""Generated evidence with real faces: passport data pages carrying a real portrait, and holding
photos (a person-sized scene: a head with a real face over a body, holding a page).

The faces are real photographs shipped by registry packages: the test photos of the
face_recognition source distribution (fetched into the virtualenv by scripts/face_photos.py at
install time), scikit-image's astronaut and matplotlib's sample photograph of Grace Hopper
(installed with PassportEye). The pages come from the OCR benchmark's generator.
"""

import datetime
import functools
import os
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from identity.faces import model

PHOTO_DIR_ENV = "KYC_FACE_PHOTOS"
# Identity -> photos of that person (file names in the photo folder; "astronaut": skimage).
PEOPLE = {
    "obama": ("obama.jpg", "obama2.jpg", "obama3.jpg"),
    "biden": ("biden.jpg",),
    "collins": ("astronaut",),
    "hopper": ("grace_hopper",),
}
# Photos inside installed packages: scikit-image's astronaut (Eileen Collins, NASA) and
# matplotlib's sample Grace Hopper (US Navy); both public domain.


def photo_dir() -> Path:
    """Where scripts/face_photos.py put the face_recognition package's test photographs."""
    default = Path(__file__).resolve().parents[2] / ".venv" / "face-photos"
    return Path(os.environ.get(PHOTO_DIR_ENV, default))


@functools.cache
def real_photo(name: str) -> np.ndarray:
    """RGB pixels of one real photograph."""
    if name == "astronaut":
        from skimage import data

        return data.astronaut()
    if name == "grace_hopper":
        import matplotlib

        path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
        return np.asarray(Image.open(path).convert("RGB"))
    path = photo_dir() / name
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `make setup` (scripts/face_photos.py installs the photos)"
        )
    return np.asarray(Image.open(path).convert("RGB"))


@functools.cache
def face_box(name: str) -> model.Box:
    faces = model.detect(real_photo(name), 0) or model.detect(real_photo(name), 1)
    return faces[0][0]


def _crop(name: str, width_factor: float, height_factor: float, rise: float) -> Image.Image:
    """The face with a margin: the box widened by the factors, its centre moved up by `rise`."""
    image = real_photo(name)
    box = face_box(name)
    cx, cy = box.centre
    cy -= rise * box.height
    half_w, half_h = box.width * width_factor / 2, box.height * height_factor / 2
    height, width = image.shape[:2]
    left, right = max(0, int(cx - half_w)), min(width, int(cx + half_w))
    top, bottom = max(0, int(cy - half_h)), min(height, int(cy + half_h))
    return Image.fromarray(image[top:bottom, left:right])


def passport_photo(name: str) -> Image.Image:
    """A passport-style crop (35 x 45 proportions) of the photograph."""
    return _crop(name, 1.9, 2.45, 0.1)


def data_page(portrait: str | None, seed: str, px_per_mm: float = 8.0) -> tuple[Image.Image, dict]:
    """A generated TD3 data page with `portrait`'s photograph in its portrait box."""
    from benchmarks.mrz.generate import ground_truth, random_document, render_document

    today = datetime.date.today()
    rng = random.Random(seed)
    document = random_document(rng, "TD3", today)
    page = render_document(document, rng, px_per_mm).convert("RGB")
    if portrait is not None:
        box = [round(v * px_per_mm) for v in (6, 12, 38, 52)]
        photo = passport_photo(portrait).resize((box[2] - box[0], box[3] - box[1]))
        page.paste(photo, box[:2])
    return page, ground_truth(document, today)


def _wall(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    width, height = size
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.array([rng.uniform(150, 225) for _ in range(3)], np.float32)
    shade = 1 - 0.25 * (yy / height) + 0.1 * np.sin(xx / width * rng.uniform(1, 3))
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 3, (height, width, 1))
    return Image.fromarray(np.clip(shade[..., None] * base + noise, 0, 255).astype(np.uint8))


def _head(name: str, size: int, rotation: float, light: float) -> tuple[Image.Image, Image.Image]:
    """The face and hair with a soft oval edge (no straight border), and its mask."""
    head = _crop(name, 1.7, 2.0, 0.12)
    head = head.resize((size, round(size * head.height / head.width)), Image.Resampling.LANCZOS)
    if light != 1.0:
        head = ImageEnhance.Brightness(head).enhance(light)
    mask = Image.new("L", head.size, 0)
    ImageDraw.Draw(mask).ellipse(
        (head.width * 0.08, head.height * 0.02, head.width * 0.92, head.height * 0.98), fill=255
    )
    mask = mask.filter(ImageFilter.GaussianBlur(size * 0.04))
    if rotation:
        head = head.rotate(rotation, Image.Resampling.BICUBIC, expand=True)
        mask = mask.rotate(rotation, Image.Resampling.BICUBIC, expand=True)
    return head, mask


def holding_photo(
    person: str | None,
    page: Image.Image | None,
    seed: str,
    *,
    face_width: int = 260,
    rotation: float = 0.0,
    light: float = 1.0,
    picture: str | None = None,
    size: tuple[int, int] = (1280, 960),
) -> Image.Image:
    """A person (`person`'s real face on a drawn body) holding `page` beside their chin.

    `picture` instead of a person: a printed photograph of that face held up where the head
    would be (the fraud of a copy in place of a face).
    """
    rng = random.Random(seed)
    scene = _wall(rng, size)
    draw = ImageDraw.Draw(scene)
    width, height = size
    cx = width * rng.uniform(0.3, 0.4)
    head_top = height * 0.08
    shirt = tuple(rng.randint(20, 140) for _ in range(3))
    skin = (rng.randint(150, 220), rng.randint(110, 170), rng.randint(90, 140))
    if person is not None or picture is not None:
        draw.ellipse(
            (cx - width * 0.25, height * 0.55, cx + width * 0.25, height * 1.4), fill=shirt
        )
        draw.rectangle((cx - face_width * 0.2, height * 0.4, cx + face_width * 0.2, height * 0.6),
                       fill=skin)  # fmt: skip
    if person is not None:
        head, mask = _head(person, round(face_width * 1.7), rotation, light)
        scene.paste(head, (round(cx - head.width / 2), round(head_top)), mask)
    elif picture is not None:
        print_ = passport_photo(picture)
        print_ = print_.resize((round(face_width * 1.6), round(face_width * 1.6 * 45 / 35)))
        framed = Image.new("RGB", (print_.width + 24, print_.height + 24), (245, 245, 240))
        framed.paste(print_, (12, 12))
        framed = framed.rotate(rotation, Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))
        scene.paste(framed, (round(cx - framed.width / 2), round(head_top)))
    if page is not None:
        held = page.resize((round(width * 0.42), round(width * 0.42 * page.height / page.width)))
        held = held.rotate(rng.uniform(-6, 6), Image.Resampling.BICUBIC, expand=True,
                           fillcolor=skin)  # fmt: skip
        x, y = round(width * 0.52), round(height * rng.uniform(0.42, 0.5))
        scene.paste(held, (x, y))
        for hand_x in (x - 25, x + held.width - 35):
            hand_y = y + held.height * rng.uniform(0.55, 0.8)
            draw.ellipse((hand_x, hand_y, hand_x + 60, hand_y + 90), fill=skin)
    return _camera(scene, rng)


def page_on_table(page: Image.Image, seed: str, size: tuple[int, int] = (1280, 960)) -> Image.Image:
    """The page alone, lying on a desk, photographed: nobody in the picture."""
    from benchmarks.mrz.generate import _table_texture

    rng = random.Random(seed)
    scene = _table_texture(rng, size).convert("RGB")
    held = page.resize((round(size[0] * 0.6), round(size[0] * 0.6 * page.height / page.width)))
    mask = Image.new("L", held.size, 255)
    angle = rng.uniform(-12, 12)
    held = held.rotate(angle, Image.Resampling.BICUBIC, expand=True)
    mask = mask.rotate(angle, Image.Resampling.BICUBIC, expand=True)
    scene.paste(held, (round(size[0] * 0.2), round(size[1] * 0.2)), mask)
    return _camera(scene, rng)


def _camera(scene: Image.Image, rng: random.Random) -> Image.Image:
    """A little blur and sensor noise, as a phone adds."""
    scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    pixels = np.asarray(scene, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 2.5, pixels.shape)
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))


def png(image: Image.Image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    import io

    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
