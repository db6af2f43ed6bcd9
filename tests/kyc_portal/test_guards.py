"""Guards for promises the whole project makes."""

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
