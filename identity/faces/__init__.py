"""Face matching, pure: images in, faces, boxes, embeddings and scores out. No Django here.

The engine (dlib's HOG detector, 5-point shape predictor and ResNet embedding, from the
face-recognition-models package) sits behind `model.py`; the rest only sees boxes and vectors,
so another engine can replace it. The portal uses `compare_images` (a holding photo against a
portrait), `has_person_face` (the upload check) and the embeddings of the faces they return.
"""

from .analysis import (
    DOCUMENT_DIFFERENT,
    DOCUMENT_NOT_FOUND,
    DOCUMENT_SAME,
    MATCH_THRESHOLD,
    UNSURE_THRESHOLD,
    VERDICT_MATCH,
    VERDICT_NO_FACE,
    VERDICT_NO_MATCH,
    VERDICT_UNSURE,
    Face,
    FaceComparison,
    UnreadableImage,
    compare_images,
    distance_to_score,
    find_faces,
    find_person_faces,
    has_person_face,
    load_image,
    verdict_for,
)
from .model import MODEL_NAME, model_version
from .model import load as load_models

__all__ = [
    "DOCUMENT_DIFFERENT",
    "DOCUMENT_NOT_FOUND",
    "DOCUMENT_SAME",
    "MATCH_THRESHOLD",
    "MODEL_NAME",
    "UNSURE_THRESHOLD",
    "VERDICT_MATCH",
    "VERDICT_NO_FACE",
    "VERDICT_NO_MATCH",
    "VERDICT_UNSURE",
    "Face",
    "FaceComparison",
    "UnreadableImage",
    "compare_images",
    "distance_to_score",
    "find_faces",
    "find_person_faces",
    "has_person_face",
    "load_image",
    "load_models",
    "model_version",
    "verdict_for",
]
