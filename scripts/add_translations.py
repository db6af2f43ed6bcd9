"""Adds Simplified Chinese translations and recompiles the message catalogue.

    python scripts/add_translations.py my-strings.json   # {"English msgid": "中文", ...}

Runs makemessages first (so the catalogue holds every marked string), fills in the given
translations, then compilemessages. Holds a file lock, so several people can run it at once.
"""

import fcntl
import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MANAGE = [sys.executable, str(ROOT / "manage.py")]
IGNORE = ["--ignore", ".venv/*", "--ignore", "benchmarks/*", "--ignore", "tests/*"]


def main(paths: list[str]) -> None:
    PO.parent.mkdir(parents=True, exist_ok=True)
    with open(ROOT / "locale" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(
            [*MANAGE, "makemessages", "-l", "zh_Hans", "--no-obsolete", *IGNORE],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        catalogue = polib.pofile(str(PO))
        for path in paths:
            translations = json.loads(Path(path).read_text(encoding="utf-8"))
            for entry in catalogue:
                if entry.msgid in translations:
                    value = translations[entry.msgid]
                    if entry.msgid_plural and isinstance(value, list):
                        entry.msgstr_plural = dict(enumerate(value))
                    else:
                        entry.msgstr = value
                    if "fuzzy" in entry.flags:
                        entry.flags.remove("fuzzy")
        catalogue.save()
        subprocess.run(
            [*MANAGE, "compilemessages", "-l", "zh_Hans", "--ignore", ".venv/*"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    missing = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
    print(f"{len(catalogue.translated_entries())} translated, {len(missing)} missing")
    for msgid in missing:
        print(f"  missing: {msgid!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
