from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Holiday(models.Model):
    """A day nobody reviews: the SLA clock skips it like a weekend."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class PeakPeriod(models.Model):
    """A busy stretch (e.g. a machine sales launch): submissions in it get extra working days."""

    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    extra_working_days = models.PositiveSmallIntegerField(
        _("extra working days"),
        default=1,
        help_text=_("Added to the one working day promised for submissions in this period."),
    )

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("peak period")
        verbose_name_plural = _("peak periods")

    def __str__(self):
        return f"{self.name} ({self.start_date:%Y-%m-%d} – {self.end_date:%Y-%m-%d})"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day cannot be before the first day.")})
