"""manage.py read_mrz PATH... : read passport/ID MRZs and print one JSON object per image."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from verification.mrz.read import read_mrz


class Command(BaseCommand):
    help = "Read the MRZ of each image and print one JSON object per line (see MrzReading.to_dict)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="image files (JPEG, PNG, ...)")
        parser.add_argument(
            "--json", action="store_true", help="JSON lines output (the default; kept for scripts)"
        )

    def handle(self, *args, **options):
        """Print one JSON line per path; unreadable files give mrz_type null and an error."""
        for path in options["paths"]:
            reading = read_mrz(path)
            self.stdout.write(json.dumps(reading.to_dict(), ensure_ascii=False))
