"""Evidence with real faces (see benchmarks/faces/scenes.py): built once per test session."""

import functools

import pytest

from benchmarks.faces import scenes


@functools.cache
def customer_page():
    """Obama's portrait (obama.jpg) on a generated passport page, and its ground truth."""
    return scenes.data_page("obama.jpg", "customer")


@functools.cache
def other_page():
    """Another passport (Biden's portrait, another number)."""
    return scenes.data_page("biden.jpg", "other")


@functools.cache
def evidence(case: str) -> bytes:
    """The holding photo of one case, JPEG bytes as a phone sends."""
    page, _ = customer_page()
    if case == "customer holding own page":
        image = scenes.holding_photo("obama2.jpg", page, case)
    elif case == "same photo rescaled, rotated, re-lit":
        image = scenes.holding_photo(
            "obama.jpg", page, case, face_width=190, rotation=12, light=0.7
        )
    elif case == "customer, another photo, brighter":
        image = scenes.holding_photo("obama3.jpg", page, case, face_width=320, light=1.2)
    elif case == "someone else holding the customer's page":
        image = scenes.holding_photo("biden.jpg", page, case)
    elif case == "another person (astronaut) holding the page":
        image = scenes.holding_photo("astronaut", page, case)
    elif case == "another person (Grace Hopper) holding the page":
        image = scenes.holding_photo("grace_hopper", page, case)
    elif case == "page alone on a table":
        image = scenes.page_on_table(page, case)
    elif case == "customer holding another page":
        image = scenes.holding_photo("obama2.jpg", other_page()[0], case)
    elif case == "portrait print held up instead of a face":
        image = scenes.holding_photo(None, page, case, picture="obama.jpg", rotation=4)
    elif case == "nobody":
        image = scenes.holding_photo(None, None, case)
    else:
        raise KeyError(case)
    return scenes.jpeg(image)


@pytest.fixture(autouse=True)
def _fresh_face_index(monkeypatch):
    """Each test's database starts empty: so does the per-process duplicate index."""
    from identity import duplicates

    monkeypatch.setattr(duplicates, "_index", duplicates.FaceIndex())


@pytest.fixture
def page_png():
    return scenes.png(customer_page()[0])


def attach(verification, kind: str, content: bytes, name: str = "x.jpg"):
    """A stored document of `kind` for `verification` (as an upload leaves it)."""
    from django.core.files.base import ContentFile

    from tests.factories import DocumentFactory

    document = DocumentFactory(verification=verification, kind=kind, content_type="image/jpeg")
    document.file.save(name, ContentFile(content))
    return document
