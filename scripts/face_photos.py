"""Installs the real face photographs the face-match tests and benchmark use (dev only).

They are the test photographs inside the face_recognition source distribution (MIT licence),
fetched from the package registry with pip at set-up time and kept in .venv/face-photos.
Tests never download anything; they read this folder. Two more people come with packages
already installed, so nothing is fetched for them: scikit-image's astronaut (Eileen Collins)
and matplotlib's sample photograph of Grace Hopper (both public domain; see
benchmarks/faces/scenes.py). Other registry packages were searched for face photographs (the
deepface and facenet-pytorch source distributions ship none).
"""

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "face_recognition==1.3.0"
MEMBERS = ("biden.jpg", "obama.jpg", "obama2.jpg", "obama3.jpg")
TARGET = Path(__file__).resolve().parent.parent / ".venv" / "face-photos"


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET
    if all((target / name).exists() for name in MEMBERS):
        return 0
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--no-binary", ":all:", PACKAGE, "-d", folder],
            check=True,
        )  # fmt: skip
        archive = next(Path(folder).glob("face_recognition-*.tar.gz"))
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                name = Path(member.name).name
                if member.isfile() and name in MEMBERS and "/tests/test_images/" in member.name:
                    (target / name).write_bytes(tar.extractfile(member).read())
    missing = [name for name in MEMBERS if not (target / name).exists()]
    if missing:
        print(f"face photos missing from {PACKAGE}: {missing}", file=sys.stderr)
        return 1
    print(f"face photos installed in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
