import getpass
import os

from django.core.management.base import CommandError


def read_password() -> str:
    """The password from KYC_PASSWORD, or asked for twice at the terminal."""
    password = os.environ.get("KYC_PASSWORD")
    if password:
        return password
    try:
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
    except (EOFError, KeyboardInterrupt) as exc:
        raise CommandError("No password given: set KYC_PASSWORD or type it at the prompt.") from exc
    if first != second:
        raise CommandError("The two passwords differ.")
    return first
