"""Guards for promises the whole project makes."""

import shutil
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"Missing migrations:\n{out.getvalue()}\n{exc}")


def test_every_marked_string_is_in_the_catalogue_and_translated(tmp_path, monkeypatch, settings):
    # makemessages on a copy of the sources, so a string marked but never added to the
    # catalogue is caught too, and the committed catalogue is left as it is.
    copy = tmp_path / "src"
    skip = (".venv", ".git", "var", "tests", "benchmarks", "docs", "staticfiles", "__pycache__")
    shutil.copytree(settings.BASE_DIR, copy, ignore=shutil.ignore_patterns(*skip))
    monkeypatch.chdir(copy)
    settings.LOCALE_PATHS = [copy / "locale"]

    call_command("makemessages", "-l", "zh_Hans", "--no-obsolete", verbosity=0)

    catalogue = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    assert not untranslated, f"run scripts/add_translations.py for: {untranslated}"


def test_every_message_has_a_simplified_chinese_translation():
    catalogue = polib.pofile(str(CATALOGUE / "django.po"))

    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_compiled_catalogue_matches_the_source():
    source = polib.pofile(str(CATALOGUE / "django.po"))
    compiled = polib.mofile(str(CATALOGUE / "django.mo"))

    expected = {e.msgid: e.msgstr for e in source.translated_entries() if not e.msgid_plural}
    actual = {e.msgid: e.msgstr for e in compiled if not e.msgid_plural}
    assert expected.items() <= actual.items()
