"""The face engine: dlib's HOG face detector, 5-point landmarks and ResNet embedding.

The model files come inside the face-recognition-models package (installed from the package
registry); nothing is downloaded at run time. Loaded once per process, on first use.
"""

import functools
import threading
from dataclasses import dataclass

import numpy as np

MODEL_NAME = "dlib ResNet face embedding (dlib_face_recognition_resnet_model_v1)"
_lock = threading.Lock()


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        models = version("face-recognition-models")
    except PackageNotFoundError:
        models = "?"
    import dlib

    return f"dlib {dlib.__version__}, face-recognition-models {models}"


@functools.cache
def model_version() -> str:
    """The installed engine's versions, recorded beside every result."""
    return _versions()


@dataclass(frozen=True)
class Box:
    """A face's box in image pixels: left, top, right, bottom."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.left + self.right) / 2, (self.top + self.bottom) / 2)

    def scaled(self, factor: float, dx: float = 0, dy: float = 0) -> "Box":
        return Box(
            round(self.left * factor + dx),
            round(self.top * factor + dy),
            round(self.right * factor + dx),
            round(self.bottom * factor + dy),
        )

    def as_list(self) -> list[int]:
        return [self.left, self.top, self.right, self.bottom]


@functools.cache
def _models():
    import dlib
    import face_recognition_models as files

    return (
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(files.pose_predictor_five_point_model_location()),
        dlib.face_recognition_model_v1(files.face_recognition_model_location()),
    )


def load() -> None:
    """Loads the model files now rather than at the first face (a worker process starting)."""
    _models()


def detect(rgb: np.ndarray, upsample: int = 0) -> list[tuple[Box, float]]:
    """Faces in an RGB uint8 array, each with the detector's confidence, largest first."""
    detector, _, _ = _models()
    with _lock:  # dlib objects are not documented as thread-safe
        found, scores, _kinds = detector.run(np.ascontiguousarray(rgb), upsample, 0.0)
    faces = [
        (Box(r.left(), r.top(), r.right(), r.bottom()), float(score))
        for r, score in zip(found, scores, strict=True)
    ]
    return sorted(faces, key=lambda item: -item[0].width * item[0].height)


def embed(rgb: np.ndarray, box: Box) -> np.ndarray:
    """The 128-number embedding of the face in `box` (distance < 0.6: same person, per dlib)."""
    import dlib

    _, landmarks, network = _models()
    rect = dlib.rectangle(box.left, box.top, box.right, box.bottom)
    image = np.ascontiguousarray(rgb)
    with _lock:
        shape = landmarks(image, rect)
        vector = network.compute_face_descriptor(image, shape)
    return np.asarray(vector, dtype=np.float32)
