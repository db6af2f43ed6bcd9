"""Upload checks: time and peak memory of `verification.uploads.prepare_image` per image.

Each case runs in a fresh subprocess, so one case's peak cannot hide another's. The figures are
the process's peak resident memory above what it held just before the call (`VmHWM` - `VmRSS`,
which counts Pillow's own pixel buffers), tracemalloc's peak (Python and numpy allocations only)
and wall-clock seconds.

    .venv/bin/python -m benchmarks.uploads.run [--json report.json]
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# name -> (size as the camera or scanner delivers it, format, what it stands for)
CASES = {
    "phone-12mp": ((4032, 3024), "JPEG", "a 12-megapixel phone photo, EXIF orientation 6"),
    "phone-50mp": ((8160, 6120), "JPEG", "a 50-megapixel phone photo, EXIF orientation 6"),
    "scan-a4-300dpi": ((2480, 3508), "PNG", "an A4 scan at 300 dpi with a passport on it"),
    "png-20mp": ((5472, 3648), "PNG", "the largest PNG accepted: 20 megapixels, decoded whole"),
    "png-6300": ((6300, 6300), "PNG", "a passport on a 6300 x 6300 grey PNG (small file)"),
}


def _passport_page(px_per_mm: float, seed: str):
    from benchmarks.mrz.generate import random_document, render_document

    rng = random.Random(seed)
    document = random_document(rng, "TD3", datetime.date(2026, 1, 1))
    return render_document(document, rng, px_per_mm)


def make_image(name: str) -> bytes:
    """The bytes of one case: a generated passport placed as a phone or a scanner would."""
    from PIL import Image

    (width, height), image_format, _about = CASES[name]
    if image_format == "JPEG":
        # The document fills about 60% of the frame, on a plain grey desk.
        page = _passport_page(0.6 * width / 125.0, seed=name)
        canvas = Image.new("RGB", (width, height), (128, 124, 118))
        canvas.paste(page, ((width - page.width) // 2, (height - page.height) // 2))
        # The sensor's pixels lie on their side; orientation 6 tells viewers to turn them.
        sideways = canvas.transpose(Image.Transpose.ROTATE_90)
        exif = Image.Exif()
        exif[0x0112] = 6
        buffer = io.BytesIO()
        sideways.save(buffer, "JPEG", quality=85, exif=exif.tobytes())
    else:
        page = _passport_page(12.0, seed=name)  # a 300-dpi scan of the data page
        canvas = Image.new("RGB", (width, height), (214, 212, 206))  # grey: passes "too bright"
        canvas.paste(page, (100, 100))
        buffer = io.BytesIO()
        canvas.save(buffer, "PNG")
    return buffer.getvalue()


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def _reset_peak() -> None:
    """Lowers VmHWM to the current RSS, so an earlier peak (imports) cannot hide a smaller one."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def measure(path: str) -> dict:
    """Runs prepare_image once on the file at `path` (in this process) and returns the figures."""
    import tracemalloc

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyc_portal.settings")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from verification import uploads

    content = Path(path).read_bytes()
    uploaded = SimpleUploadedFile("upload", content, content_type="application/octet-stream")
    _reset_peak()
    rss_before = _status_kib("VmRSS")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        prepared = uploads.prepare_image(uploaded)
        outcome = {"accepted": True, "stored": f"{prepared.width}x{prepared.height}"}
        outcome["stored_bytes"] = len(prepared.content)
    except ValidationError as error:
        outcome = {"accepted": False, "refused": error.code}
    seconds = time.perf_counter() - started
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    hwm_after = _status_kib("VmHWM")
    return {
        **outcome,
        "file_bytes": len(content),
        "seconds": round(seconds, 3),
        "peak_mb": round((hwm_after - rss_before) / 1024, 1),
        "tracemalloc_peak_mb": round(traced_peak / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="repeatable")
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child process's job
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.case or list(CASES):
            path = Path(folder) / name
            path.write_bytes(make_image(name))
            child = subprocess.run(
                [sys.executable, "-m", "benchmarks.uploads.run", "--measure", str(path)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            row = {"case": name, "source": "x".join(map(str, CASES[name][0]))}
            row.update(json.loads(child.stdout.strip().splitlines()[-1]))
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print("| case | source pixels | file | outcome | stored | peak MB | tracemalloc MB | s |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        outcome = "accepted" if row["accepted"] else f"refused ({row['refused']})"
        print(
            f"| {row['case']} | {row['source']} | {row['file_bytes'] / 2**20:.1f} MB | {outcome} "
            f"| {row.get('stored', '-')} | {row['peak_mb']} | {row['tracemalloc_peak_mb']} "
            f"| {row['seconds']} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
