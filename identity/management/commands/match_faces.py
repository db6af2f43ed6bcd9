"""Compares the face on a data page (or any photo of the person) with holding photos.

One JSON object per line per holding photo, in order; an unreadable image gives a line with
an "error" instead of stopping the run.
"""

import json

from django.core.management.base import BaseCommand
from PIL import Image

from identity import faces
from identity.document_numbers import read_document_number


class Command(BaseCommand):
    help = "Match the face of PORTRAIT_IMAGE against each HOLDING_IMAGE (one JSON line each)."

    def add_arguments(self, parser):
        parser.add_argument("portrait", metavar="PORTRAIT_IMAGE")
        parser.add_argument("holding", metavar="HOLDING_IMAGE", nargs="+")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args, portrait, holding, **options):
        portrait_faces, portrait_error, page_number = None, None, None
        try:
            page = faces.load_image(portrait)
        except faces.UnreadableImage as error:
            portrait_error = f"{portrait}: {error}"
        else:
            # Read once for every holding photo: its faces and its document number.
            portrait_faces = faces.find_faces(page)
            page_number = read_document_number(Image.fromarray(page))
        for path in holding:
            line = {"image": path}
            if portrait_error:
                line["error"] = portrait_error
            else:
                try:
                    result = faces.compare_images(
                        portrait,
                        path,
                        read_document_number=read_document_number,
                        portrait_faces=portrait_faces,
                        page_number=page_number,
                    )
                except faces.UnreadableImage as error:
                    line["error"] = f"{path}: {error}"
                else:
                    line.update(result.to_json())
            self.stdout.write(json.dumps(line) if options["json"] else _plain(line))


def _plain(line: dict) -> str:
    if "error" in line:
        return f"{line['image']}: error: {line['error']}"
    score = "-" if line["score"] is None else f"{line['score']:.2f}"
    return (
        f"{line['image']}: {line['verdict']} (score {score}, threshold {line['threshold']}), "
        f"document in hand: {line['document_in_hand']}, {line['seconds']:.2f} s"
    )
