"""Does the MRZ reader hold up when real print is photographed badly?

    .venv/bin/python -m benchmarks.mrz.robust                  # the development set
    .venv/bin/python -m benchmarks.mrz.robust --data DIR --variants 2 --json out.json

Takes the real images with truth (the layout of `real.py`: `images/<source>/<file>` and a
`<file>.json` beside it) whose MRZ our reader reads right and fully trusts as they are, and
degrades each the way a phone photo does, one kind of damage at a time and all together
(`phone`), seeded (`--seed`), so every degraded image can be made again alone. Reported per
degradation: detected, read right (every line equals the truth), every check digit holds,
check-digit fields trusted, fully trusted, and trusted-but-wrong fields, the one that must
stay 0. The images are never written anywhere (`--save DIR` writes them, for a look).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import time
from pathlib import Path

# One thread each for BLAS, OpenMP and onnxruntime in every worker: the machine is shared.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_THREAD_LIMIT"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402 - after the thread limits above
from PIL import Image, ImageFilter  # noqa: E402

from benchmarks.mrz.generate import (  # noqa: E402
    _add_noise,
    _jpeg,
    _lighting,
    _perspective_coefficients,
    _table_texture,
    photograph,
)
from benchmarks.mrz.real import default_data_dir, real_images, score  # noqa: E402

# MRZ character pitch of a phone photo taken from arm's length (the images are shrunk to it,
# never enlarged: the smallest renders in the set are already below it).
PHONE_PITCH = (12.0, 14.0)
JPEG_QUALITY = (30, 60)
MAX_ANGLE = 8.0
CORNER_SHIFT = 0.04


def _paper_colour(image: Image.Image) -> tuple[int, int, int]:
    """The median colour of the image's outer rows and columns (what lies around the MRZ)."""
    array = np.asarray(image.convert("RGB"))
    edge = np.concatenate([array[0], array[-1], array[:, 0], array[:, -1]])
    return tuple(int(v) for v in np.median(edge, axis=0))


def _shrink(image: Image.Image, pitch: float, rng: random.Random) -> tuple[Image.Image, float]:
    """Shrunk so the MRZ pitch is 12-14 px (never enlarged); returns the image and the scale."""
    scale = min(1.0, rng.uniform(*PHONE_PITCH) / pitch)
    if scale >= 1.0:
        return image, 1.0
    size = (max(20, round(image.width * scale)), max(20, round(image.height * scale)))
    return image.resize(size, Image.LANCZOS), scale


def _rotate(image: Image.Image, angle: float) -> Image.Image:
    return image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=_paper_colour(image))


def _tilted_angle(rng: random.Random) -> float:
    return rng.choice((-1, 1)) * rng.uniform(3.0, MAX_ANGLE)


def small(image: Image.Image, pitch: float, rng: random.Random) -> Image.Image:
    return _shrink(image, pitch, rng)[0]


def jpeg(image: Image.Image, pitch: float, rng: random.Random) -> Image.Image:
    return _jpeg(image, rng.randint(*JPEG_QUALITY))


def blur_noise(image: Image.Image, pitch: float, rng: random.Random) -> Image.Image:
    """A slightly soft focus (sigma 4-7% of the pitch, at least 0.5 px) and sensor noise."""
    sigma = float(max(0.5, pitch * rng.uniform(0.04, 0.07)))
    return _add_noise(image.filter(ImageFilter.GaussianBlur(sigma)), rng, rng.uniform(3, 8))


def rotate(image: Image.Image, pitch: float, rng: random.Random) -> Image.Image:
    return _rotate(image, _tilted_angle(rng))


def upside_down(image: Image.Image, pitch: float, rng: random.Random) -> Image.Image:
    return _rotate(image, 180 + rng.uniform(-2.0, 2.0))


def perspective(image: Image.Image, pitch: float, rng: random.Random) -> Image.Image:
    """Each corner moved by up to CORNER_SHIFT of the image size, as when the phone is not
    held parallel to the page."""
    width, height = image.size
    shift = CORNER_SHIFT * (width + height) / 2
    corners = [(0, 0), (width, 0), (width, height), (0, height)]
    inwards = [(1, 1), (-1, 1), (-1, -1), (1, -1)]
    target = [
        (x + dx * rng.uniform(0, shift), y + dy * rng.uniform(0, shift))
        for (x, y), (dx, dy) in zip(corners, inwards, strict=True)
    ]
    coefficients = _perspective_coefficients(corners, target)
    return image.convert("RGB").transform(
        image.size,
        Image.PERSPECTIVE,
        coefficients,
        Image.BICUBIC,
        fillcolor=_paper_colour(image),
    )


def light(image: Image.Image, pitch: float, rng: random.Random) -> Image.Image:
    """Uneven light, often a soft shadow, and a glare spot in the lower third of the page
    (where the MRZ is), as under a lamp or a flash."""
    image = _lighting(image, rng)
    array = np.asarray(image, dtype=float)
    height, width = array.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width].astype(float)
    gx, gy = rng.uniform(0.15, 0.85) * width, rng.uniform(0.65, 0.95) * height
    radius = rng.uniform(0.04, 0.1) * max(width, height)
    glare = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * radius**2))
    array = array + rng.uniform(60, 120) * glare[..., None]
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))


def background(image: Image.Image, pitch: float, rng: random.Random) -> Image.Image:
    """The page lying a little askew on a dark, brightly coloured or textured surface."""
    image = image.convert("RGB")
    margin = rng.uniform(0.15, 0.4)
    size = (round(image.width * (1 + 2 * margin)), round(image.height * (1 + 2 * margin)))
    kind = rng.choice(("dark", "colour", "table"))
    if kind == "table":
        canvas = _table_texture(rng, size)
    else:
        colour = (
            tuple(rng.randint(5, 50) for _ in range(3))
            if kind == "dark"
            else tuple(rng.choice((rng.randint(0, 60), rng.randint(150, 240))) for _ in range(3))
        )
        canvas = Image.new("RGB", size, colour)
    angle = rng.uniform(-3.0, 3.0)
    turned = image.rotate(angle, resample=Image.BICUBIC, expand=True)
    mask = Image.new("L", image.size, 255).rotate(angle, expand=True)
    left = round((size[0] - turned.width) / 2 + rng.uniform(-0.5, 0.5) * margin * image.width)
    top = round((size[1] - turned.height) / 2 + rng.uniform(-0.5, 0.5) * margin * image.height)
    canvas.paste(turned, (left, top), mask)
    return canvas


def phone(image: Image.Image, pitch: float, rng: random.Random) -> Image.Image:
    """All of it at once: MRZ pitch 12-14 px, on a table, turned by up to 8 degrees (upside
    down one time in ten), mild perspective, uneven light, shadow, glare, blur, noise and
    JPEG quality 30-60."""
    scale = min(1.0, rng.uniform(*PHONE_PITCH) / pitch)
    page = image.convert("RGB")
    canvas_size = (1280, 960) if rng.random() < 0.7 else (1024, 768)
    if page.height > page.width:
        canvas_size = canvas_size[::-1]
    scale = min(scale, 0.92 * canvas_size[0] / page.width, 0.92 * canvas_size[1] / page.height)
    canvas = _table_texture(rng, canvas_size)
    return photograph(
        page,
        canvas,
        scale,
        rng,
        max_angle=MAX_ANGLE,
        corner_shift=CORNER_SHIFT,
        jpeg_quality=JPEG_QUALITY,
    )


DEGRADATIONS = {
    "small": small,
    "jpeg": jpeg,
    "blur_noise": blur_noise,
    "rotate": rotate,
    "upside_down": upside_down,
    "perspective": perspective,
    "light": light,
    "background": background,
    "phone": phone,
}


def degraded_image(path: str, pitch: float, name: str, seed: int, variant: int) -> Image.Image:
    """The image at `path` with degradation `name`, always the same for the same arguments."""
    rng = random.Random(f"{seed}-{name}-{Path(path).parent.name}/{Path(path).name}-{variant}")
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    return DEGRADATIONS[name](image, pitch, rng)


def _read_ours(image) -> dict:
    from verification.mrz.read import read_mrz

    started = time.perf_counter()
    reading = read_mrz(image)
    return {
        "lines": list(reading.lines),
        "checks": dict(reading.check_digits),
        "trusted": list(reading.trusted_fields),
        "valid": reading.valid,
        "seconds": time.perf_counter() - started,
    }


def _baseline(job: tuple[str, list[str]]) -> dict:
    """How the reader does on the image as it is, and the MRZ pitch in the image's pixels."""
    from verification.mrz.locate import load_grayscale
    from verification.mrz.read import best_band

    path, truth = job
    result = _read_ours(path)
    outcome = score(result, truth)
    gray = load_grayscale(path)
    with Image.open(path) as opened:
        shrunk_by = max(opened.size) / max(gray.shape)
    band = best_band(path)
    pitch = float(band.pitch * shrunk_by) if band is not None else 0.0
    return {
        "path": path,
        "truth": truth,
        "read_right": result["lines"] == truth,
        "fully_trusted": outcome["fully_trusted"],
        "pitch": pitch,
    }


def _degraded(job: tuple) -> dict:
    path, truth, pitch, name, seed, variant, save_dir = job
    image = degraded_image(path, pitch, name, seed, variant)
    if save_dir:
        stem = f"{Path(path).parent.name}-{Path(path).stem}-{name}-{variant}.jpg"
        image.save(Path(save_dir) / stem, quality=95)
    result = _read_ours(image)
    outcome = score(result, truth)
    outcome["read_right"] = result["lines"] == truth
    outcome["lines"] = result["lines"]
    return {"image": path, "degradation": name, "variant": variant, **outcome}


def summarise(rows: list[dict]) -> dict:
    seconds = [row["seconds"] for row in rows] or [0.0]
    return {
        "images": len(rows),
        "detected": sum(row["detected"] for row in rows),
        "read_right": sum(row["read_right"] for row in rows),
        "digits_hold": sum(row["digits_hold"] for row in rows),
        "checked_fields_trusted": sum(row["checked_fields_trusted"] for row in rows),
        "fully_trusted": sum(row["fully_trusted"] for row in rows),
        "trusted_but_wrong_fields": sum(len(row["trusted_but_wrong"]) for row in rows),
        "median_seconds": float(np.median(seconds)),
    }


def run(
    data_dir: Path,
    degradations=tuple(DEGRADATIONS),
    variants: int = 1,
    seed: int = 1,
    workers: int = 2,
    save_dir: str | None = None,
    only: str = "",
) -> dict:
    jobs = [
        (str(path), truth)
        for path, truth in real_images(data_dir)
        if truth is not None and only in str(path)
    ]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        baselines = pool.map(_baseline, jobs, chunksize=1)
        base = [b for b in baselines if b["read_right"] and b["fully_trusted"]]
        degraded_jobs = [
            (b["path"], b["truth"], b["pitch"], name, seed, variant, save_dir)
            for name in degradations
            for variant in range(variants)
            for b in base
        ]
        rows = pool.map(_degraded, degraded_jobs, chunksize=1)
    for row in rows:
        row["image"] = str(Path(row["image"]).relative_to(data_dir))
    summary = {
        name: summarise([r for r in rows if r["degradation"] == name]) for name in degradations
    }
    summary["all"] = summarise(rows)
    return {
        "seed": seed,
        "variants": variants,
        "base_images": [str(Path(b["path"]).relative_to(data_dir)) for b in base],
        "pitches": {str(Path(b["path"]).relative_to(data_dir)): b["pitch"] for b in base},
        "images_with_truth": len(jobs),
        "summary": summary,
        "per_image": rows,
    }


def format_table(report: dict) -> str:
    lines = [
        f"{len(report['base_images'])} of {report['images_with_truth']} images with truth read "
        f"right and fully trusted as they are; {report['variants']} variant(s) each, "
        f"seed {report['seed']}.",
        "",
        "| degradation | images | detected | read right | every check digit holds "
        "| check-digit fields trusted | fully trusted | trusted but wrong fields | median s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in report["summary"].items():
        lines.append(
            f"| {name} | {s['images']} | {s['detected']} | {s['read_right']} "
            f"| {s['digits_hold']} | {s['checked_fields_trusted']} | {s['fully_trusted']} "
            f"| {s['trusted_but_wrong_fields']} | {s['median_seconds']:.2f} |"
        )
    wrong = [r for r in report["per_image"] if r["trusted_but_wrong"]]
    for row in wrong:
        lines.append(
            f"TRUSTED BUT WRONG: {row['image']} {row['degradation']} #{row['variant']}: "
            f"{', '.join(row['trusted_but_wrong'])}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(default_data_dir()), help="folder with images/")
    parser.add_argument("--degradations", default=",".join(DEGRADATIONS))
    parser.add_argument("--variants", type=int, default=1, help="degraded copies per image")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="only images whose path contains this")
    parser.add_argument("--save", help="also write the degraded images to this folder")
    parser.add_argument("--json", help="also write the full report (per image) to this file")
    args = parser.parse_args()
    data_dir = Path(args.data)
    if not (data_dir / "images").is_dir():
        parser.error(f"no images/ folder in {data_dir}")
    if args.save:
        Path(args.save).mkdir(parents=True, exist_ok=True)
    report = run(
        data_dir,
        tuple(args.degradations.split(",")),
        args.variants,
        args.seed,
        args.workers,
        args.save,
        args.only,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    print(format_table(report))


if __name__ == "__main__":
    main()
