"""Benchmark the MRZ reader on real document images, beside PassportEye's default.

    .venv/bin/python -m benchmarks.mrz.real                      # the development set
    .venv/bin/python -m benchmarks.mrz.real --data DIR --json out.json

DIR holds `images/<source>/<file>` with an optional `<file>.json` truth beside each image
(`{"mrz": [lines...], ...}`, the layout of the shared development set). It defaults to
$MRZ_DEV_IMAGES_DIR, else `../shared/ocr-dev` next to the repository. The images are never
copied anywhere. A truth that names its layout (`"mrz_type"`) must parse as that layout.
Also reads ICAO's own specimens (ERIKSSON / ANNA MARIA) in every layout and France's 1994 card
specimen (BERTHIER / CORINNE), rendered in OCR-B (the development set has no TD2 or visa).

Reported per engine: images, detected (an MRZ found), every check digit holds, fully
trusted (ours: `valid`; PassportEye: its own `valid`, every check digit), check-digit fields
trusted among detected images, trusted fields that are wrong where the truth is known (for
PassportEye every field of a valid read counts as trusted), median and p95 seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
import warnings
from pathlib import Path

# One thread each for BLAS, OpenMP, Tesseract and onnxruntime: the machine is shared.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_THREAD_LIMIT"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402 - after the thread limits above

from verification.mrz.parse import (  # noqa: E402
    CHECKED_FIELDS,
    TRUSTABLE_FIELDS,
    MrzFields,
    parse_mrz,
)

REPOSITORY = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPOSITORY.parent / "shared" / "ocr-dev"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
ENGINES = ("ours", "passporteye")

ICAO_SPECIMENS = {
    "TD3": (
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ),
    "TD2": ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"),
    "TD1": (
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ),
    "MRV-A": (
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
    ),
    "MRV-B": ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"),
}
# France's own specimen of its 1994-2021 card (not ICAO; no expiry in its MRZ).
FRENCH_SPECIMEN = ("IDFRABERTHIER<<<<<<<<<<<<<<<<<<<<<<<", "9409923102854CORINNE<<<<<<<6512068F4")
# Layout names the development set's truth files use, as parse_mrz names them.
TRUTH_LAYOUTS = {"FRA-ID-1994 (non-ICAO 2x36)": "FR-ID"}


def default_data_dir() -> Path:
    """$MRZ_DEV_IMAGES_DIR, else ../shared/ocr-dev next to the repository."""
    configured = os.environ.get("MRZ_DEV_IMAGES_DIR")
    return Path(configured) if configured else DEFAULT_DATA


def real_images(data_dir: Path) -> list[tuple[Path, list[str] | None]]:
    """(image, truth MRZ lines or None) for every image under data_dir/images."""
    found = []
    for path in sorted((data_dir / "images").glob("*/*")):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        truth_file = path.with_name(path.name + ".json")
        record = json.loads(truth_file.read_text()) if truth_file.exists() else {}
        truth = record.get("mrz")
        named = record.get("mrz_type")
        if truth and named and parse_mrz(truth).mrz_type != TRUTH_LAYOUTS.get(named, named):
            raise ValueError(f"{path.name}: the truth's lines do not parse as a {named}")
        found.append((path, truth))
    return found


def field_value(fields: MrzFields, name: str) -> str:
    """A field as printed in the MRZ (dates as YYMMDD), for comparing two readings."""
    if name == "date_of_birth":
        return fields.raw_date_of_birth
    if name == "expiration_date":
        return fields.raw_expiration_date
    return str(getattr(fields, name))


def _parsed(lines) -> MrzFields | None:
    try:
        return parse_mrz(list(lines))
    except (ValueError, TypeError):
        return None


def read_ours(image) -> dict:
    from verification.mrz.read import read_mrz

    started = time.perf_counter()
    reading = read_mrz(image)
    seconds = time.perf_counter() - started
    return {
        "lines": list(reading.lines),
        "checks": dict(reading.check_digits),
        "trusted": list(reading.trusted_fields),
        "valid": reading.valid,
        "seconds": seconds,
    }


def read_passporteye(image) -> dict:
    """PassportEye's default read_mrz; every field of a valid read counts as trusted."""
    from passporteye import read_mrz as passporteye_read_mrz

    started = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mrz = passporteye_read_mrz(image)
    except Exception:  # noqa: BLE001 - count a crash as a failed read
        mrz = None
    seconds = time.perf_counter() - started
    if mrz is None:
        return {"lines": [], "checks": {}, "trusted": [], "valid": False, "seconds": seconds}
    lines = [line for line in str(mrz.aux.get("text", "")).splitlines() if line.strip()]
    fields = _parsed(lines)
    checks = dict(fields.check_digits) if fields else {"any": False}
    valid = bool(mrz.valid)
    return {
        "lines": lines,
        "checks": checks,
        "trusted": list(TRUSTABLE_FIELDS) if valid and fields else [],
        "valid": valid,
        "seconds": seconds,
    }


READERS = {"ours": read_ours, "passporteye": read_passporteye}


def score(result: dict, truth: list[str] | None) -> dict:
    """Per-image outcome: detected, digits hold, fully trusted, wrong trusted fields."""
    fields = _parsed(result["lines"]) if result["lines"] else None
    truth_fields = _parsed(truth) if truth else None
    wrong = []
    if truth_fields is not None and result["trusted"]:
        for name in result["trusted"]:
            same_layout = fields is not None and fields.mrz_type == truth_fields.mrz_type
            if not same_layout or field_value(fields, name) != field_value(truth_fields, name):
                wrong.append(name)
    checked = [
        name for name in CHECKED_FIELDS if fields is not None and name in fields.check_digits
    ]
    return {
        "detected": bool(result["lines"]),
        "digits_hold": bool(result["checks"]) and all(result["checks"].values()),
        "fully_trusted": bool(result["valid"]),
        "checked_fields_trusted": bool(checked)
        and all(name in result["trusted"] for name in checked),
        "trusted_but_wrong": wrong,
        "has_truth": truth_fields is not None,
        "seconds": result["seconds"],
    }


def summarise(outcomes: list[dict]) -> dict:
    detected = [o for o in outcomes if o["detected"]]
    seconds = np.array([o["seconds"] for o in outcomes]) if outcomes else np.zeros(1)
    return {
        "images": len(outcomes),
        "with_truth": sum(o["has_truth"] for o in outcomes),
        "detected": len(detected),
        "digits_hold": sum(o["digits_hold"] for o in outcomes),
        "fully_trusted": sum(o["fully_trusted"] for o in outcomes),
        "fully_trusted_with_truth": sum(o["fully_trusted"] and o["has_truth"] for o in outcomes),
        "checked_fields_trusted": sum(o["checked_fields_trusted"] for o in detected),
        "trusted_but_wrong_fields": sum(len(o["trusted_but_wrong"]) for o in outcomes),
        "median_seconds": float(np.median(seconds)),
        "p95_seconds": float(np.percentile(seconds, 95)),
    }


def specimen_images(seed: int = 1):
    """ICAO's ERIKSSON specimen in each layout and France's 1994 card specimen, rendered flat
    and as a mild phone photo."""
    from benchmarks.mrz.generate import GeneratedDocument, degrade, render_document

    documents = [
        GeneratedDocument(mrz_type, lines, "Eriksson", "Anna Maria", "UTO")
        for mrz_type, lines in ICAO_SPECIMENS.items()
    ]
    documents.append(GeneratedDocument("FR-ID", FRENCH_SPECIMEN, "Berthier", "Corinne", "FRA"))
    for document in documents:
        mrz_type, lines = document.mrz_type, document.lines
        rng = random.Random(f"{seed}-{mrz_type}")
        yield f"{mrz_type} flat", render_document(document, rng, 11.0), list(lines)
        yield f"{mrz_type} mild", degrade(document, "mild", rng), list(lines)


def run(data_dir: Path, engines=ENGINES) -> dict:
    """Both engines over the real images (alternating per image) and the ICAO specimens."""
    report: dict = {"real": {}, "specimens": {}, "per_image": []}
    outcomes: dict = {engine: [] for engine in engines}
    for path, truth in real_images(data_dir):
        row = {"image": str(path.relative_to(data_dir)), "truth": truth is not None}
        for engine in engines:
            outcome = score(READERS[engine](str(path)), truth)
            outcomes[engine].append(outcome)
            row[engine] = {k: v for k, v in outcome.items() if k != "has_truth"}
        report["per_image"].append(row)
    for engine in engines:
        report["real"][engine] = summarise(outcomes[engine])
    for name, image, lines in specimen_images():
        result = read_ours(image)
        report["specimens"][name] = {
            "fully_trusted": result["valid"],
            "read_right": result["lines"] == lines,
            "trusted_fields": result["trusted"],
        }
    return report


def format_tables(report: dict) -> str:
    lines = [
        "| engine | images (with truth) | detected | every check digit holds | fully trusted "
        "| check-digit fields trusted (of detected) | trusted but wrong fields | median s "
        "| p95 s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for engine, s in report["real"].items():
        checked_share = s["checked_fields_trusted"] / max(1, s["detected"])
        lines.append(
            f"| {engine} | {s['images']} ({s['with_truth']}) | {s['detected']} "
            f"| {s['digits_hold']} | {s['fully_trusted']} ({s['fully_trusted'] / s['images']:.0%}; "
            f"{s['fully_trusted_with_truth']} of {s['with_truth']} with truth) "
            f"| {s['checked_fields_trusted']} ({checked_share:.0%}) "
            f"| {s['trusted_but_wrong_fields']} | {s['median_seconds']:.2f} "
            f"| {s['p95_seconds']:.2f} |"
        )
    lines += ["", "| ICAO specimen (rendered) | read right | fully trusted |", "|---|---|---|"]
    for name, s in report["specimens"].items():
        lines.append(f"| {name} | {s['read_right']} | {s['fully_trusted']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(default_data_dir()), help="folder with images/")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--json", help="also write the full report (per image) to this file")
    args = parser.parse_args()
    data_dir = Path(args.data)
    if not (data_dir / "images").is_dir():
        parser.error(f"no images/ folder in {data_dir}")
    report = run(data_dir, tuple(args.engines.split(",")))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    print(format_tables(report))


if __name__ == "__main__":
    main()
