"""Watchlists (sanctions, PEP, crime) as loaded versions, and what screening found.

A list version is loaded whole in one transaction and then switched to (Watchlist.
active_version), so screening reads either the old version or the new one, never half of
one. Only what matching needs is kept per entity; WatchlistKey is the candidate index.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kyc_portal.jobs import LeasedJob

from .keys import KEY_SCHEME


class Watchlist(models.Model):
    """One source of list data (a dataset: "sanctions", "peps", "un_sc_sanctions"...)."""

    name = models.SlugField(_("dataset"), max_length=80, unique=True)
    active_version = models.ForeignKey(
        "WatchlistVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("watchlist")
        verbose_name_plural = _("watchlists")

    def __str__(self):
        return self.name


class WatchlistVersion(models.Model):
    """One load of a watchlist file. Kept after it is replaced: hits name the version they
    were found in (its entity rows are pruned once two newer versions exist)."""

    class Format(models.TextChoices):
        FTM = "ftm", _("FollowTheMoney entities (JSON lines)")
        UN_XML = "un_xml", _("UN Security Council consolidated list (XML)")

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(_("version"), max_length=80)
    source_format = models.CharField(max_length=8, choices=Format.choices, default=Format.FTM)
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    entity_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField(auto_now_add=True)
    pruned_at = models.DateTimeField(null=True, blank=True)
    # The screening.keys.KEY_SCHEME its entities were indexed under.
    key_scheme = models.PositiveSmallIntegerField(default=KEY_SCHEME)

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        verbose_name = _("watchlist version")
        verbose_name_plural = _("watchlist versions")

    def __str__(self):
        return f"{self.watchlist_id}:{self.label}"


class WatchlistEntity(models.Model):
    """A person on a list, reduced to what matching needs (list data, not customer data)."""

    version = models.ForeignKey(WatchlistVersion, on_delete=models.CASCADE, related_name="+")
    ordinal = models.PositiveIntegerField()  # its place in the file; WatchlistKey points here
    entity_id = models.CharField(max_length=255)
    schema = models.CharField(max_length=40, default="Person")
    caption = models.CharField(max_length=500)
    # names, birth_dates, countries, gender, topics: lists of strings.
    data = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "ordinal"], name="watchlist_entity_place")
        ]
        indexes = [models.Index(fields=["version", "entity_id"])]

    def __str__(self):
        return f"{self.entity_id} ({self.caption})"


class WatchlistKey(models.Model):
    """A blocking key (screening.keys) of one entity in one version: the candidate index.

    The primary key is the index, key first: a lookup reads only this B-tree.
    """

    pk = models.CompositePrimaryKey("key", "version_id", "ordinal")
    key = models.BigIntegerField()
    version = models.ForeignKey(
        WatchlistVersion, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    ordinal = models.PositiveIntegerField()

    def __str__(self):
        return f"key {self.key} of entity {self.ordinal} in version {self.version_id}"


class WatchlistKeyCount(models.Model):
    """How many entities of a version share a common blocking key (only keys shared by at
    least screening.loading.COMMON_KEY entities are counted; a key not here is rarer).

    Candidate search reads it first: the rarer a key the more sharing it says, and the most
    common keys are left out of the lookup when rarer ones are there (a "John" pair key would
    otherwise pull in thousands of rows for nothing).
    """

    pk = models.CompositePrimaryKey("key", "version_id")
    key = models.BigIntegerField()
    version = models.ForeignKey(
        WatchlistVersion, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    entities = models.PositiveIntegerField()

    def __str__(self):
        return f"key {self.key}: {self.entities} entities in version {self.version_id}"


class Screening(LeasedJob):
    """One screening of an application against the lists loaded at the time.

    A submission's screening runs in a worker (screening.tasks), under a lease like an OCR
    read; monitoring screens passed customers inline in its batches.
    """

    class Reason(models.TextChoices):
        SUBMISSION = "submission", _("Submission")
        MONITORING = "monitoring", _("List update")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    verification = models.ForeignKey(
        "verification.Verification", on_delete=models.CASCADE, related_name="screenings"
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    evidence_version = models.PositiveIntegerField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    # The list versions it was screened against (ids), empty when no list was loaded.
    list_versions = models.JSONField(default=list, blank=True)
    hit_count = models.PositiveIntegerField(default=0)
    # error, attempts, queue time and the lease: kyc_portal.jobs.LeasedJob
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["verification", "evidence_version"],
                condition=models.Q(reason="submission"),
                name="one_submission_screening_per_evidence",
            )
        ]
        indexes = [models.Index(fields=["state", "queued_at"])]

    def __str__(self):
        return f"{self.reason} screening of #{self.verification_id}: {self.state}"


class ScreeningHit(models.Model):
    """A list entry that matched an application above the threshold, and how it was resolved.

    The entity's matching content is copied here (list data), so the hit stays readable after
    its list version is pruned; content_hash is what a false positive is remembered by.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Unresolved")
        FALSE_POSITIVE = "false_positive", _("False positive")
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("True match, waiting for a supervisor")
        CONFIRMED_MATCH = "confirmed_match", _("Confirmed match")

    UNRESOLVED = (State.OPEN, State.AWAITING_CONFIRMATION)

    verification = models.ForeignKey(
        "verification.Verification", on_delete=models.CASCADE, related_name="screening_hits"
    )
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="hits")
    list_version = models.ForeignKey(
        WatchlistVersion, on_delete=models.PROTECT, related_name="hits"
    )
    entity_id = models.CharField(max_length=255)
    caption = models.CharField(max_length=500)
    topics = models.JSONField(default=list, blank=True)
    entity_data = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)
    score = models.FloatField()
    explanation = models.JSONField(default=dict)
    state = models.CharField(max_length=24, choices=State.choices, default=State.OPEN)
    resolution_reason = models.TextField(_("reason"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    resolved_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["verification", "entity_id", "content_hash"],
                name="one_hit_per_entity_content",
            )
        ]
        indexes = [models.Index(fields=["state", "created_at"])]
        verbose_name = _("screening hit")
        verbose_name_plural = _("screening hits")

    def __str__(self):
        return f"{self.entity_id} on #{self.verification_id} ({self.score:.2f}, {self.state})"

    @property
    def is_unresolved(self) -> bool:
        return self.state in self.UNRESOLVED


class MonitoringRun(models.Model):
    """Re-screening every passed customer after a list version was loaded, in batches.

    `cursor` is the last application id done, so a run interrupted by a restart resumes.
    """

    list_version = models.OneToOneField(
        WatchlistVersion, on_delete=models.CASCADE, related_name="monitoring_run"
    )
    cursor = models.BigIntegerField(default=0)
    screened = models.PositiveIntegerField(default=0)
    new_hits = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"monitoring after version {self.list_version_id}: {self.screened} screened"
