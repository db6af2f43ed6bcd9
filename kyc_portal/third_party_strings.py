"""Our translations of strings that Django, allauth and django-countries show customers.

Their own Simplified Chinese says 你, uses half-width punctuation or misses a string (Django's
"too short" message). Our catalogue is searched first, but makemessages keeps only strings it
finds in our code, so they are listed here. Nothing calls this function.
"""

from django.utils.translation import gettext_noop, ngettext


def _listed_for_makemessages():
    # Django: the suffix after every form label.
    gettext_noop(":")
    # Django's password validators.
    ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        10,
    )
    ngettext(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        10,
    )
    gettext_noop("Your password can’t be too similar to your other personal information.")
    gettext_noop("Your password can’t be a commonly used password.")
    gettext_noop("Your password can’t be entirely numeric.")
    # allauth.
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s.")
    gettext_noop(
        "If you have not created an account yet, then please %(link)ssign up%(end_link)s first."
    )
    gettext_noop("Enter your password:")
    # django-countries.
    gettext_noop("Cocos (Keeling) Islands")
