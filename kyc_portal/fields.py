import datetime

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token. It cannot be filtered on: keep a lookup_hash beside it."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value)


class EncryptedDateField(models.TextField):
    """A date stored encrypted (its ISO form inside a Fernet token)."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return None
        return datetime.date.fromisoformat(crypto.decrypt(value))

    def to_python(self, value):
        if value in (None, "") or isinstance(value, datetime.date):
            return value or None
        return datetime.date.fromisoformat(str(value))

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return crypto.encrypt(value.isoformat())

    def formfield(self, **kwargs):
        from django import forms

        return forms.DateField(**{"required": not self.blank, **kwargs})
