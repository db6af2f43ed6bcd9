"""Telling customers what happened to their application, on the site and by email."""


def on_status_change(change) -> None:
    """Called inside the status transition's transaction for every StatusChange row."""
