"""Background jobs held under a lease: the one shape of the portal's Celery work (an OCR read,
a face match, a screening).

A job row is PENDING until a worker claims it, RUNNING while the worker holds its lease
(renewed while the worker's process lives), then DONE or FAILED. Only the holder of the lease
token may record a result, so a delivery that outlived its lease can never overwrite another's.
A lease that runs out (worker killed, time limit) lets the next delivery or the periodic sweep
take the job over; after MAX_ATTEMPTS it fails and a person does the work instead.

The broker message carries one id (`Jobs.key`). Callers pass the task's `send` (its
apply_async), so domain modules never import their tasks.
"""

import contextlib
import datetime
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
FINISHED = (DONE, FAILED)
MAX_ATTEMPTS = 3
# Retries of one delivery after an error that may go away, 2, 4, 8, 16 and 32 s apart.
MAX_RETRIES = 5
# A job is queued right after its commit: only one still unqueued after this long failed to
# reach the broker (the sweep then queues it at once).
UNQUEUED_GRACE = datetime.timedelta(seconds=15)
# A job handed to the broker this long ago and never started lost its message.
LOST_MESSAGE = datetime.timedelta(minutes=2)


def document_lease() -> datetime.timedelta:
    """The lease of every job on an uploaded document (reading it, comparing its faces)."""
    return datetime.timedelta(seconds=settings.KYC_OCR_LEASE_SECONDS)


class LeasedJob(models.Model):
    """The bookkeeping fields of a leased job. Each model declares its own `state` field (with
    labels that say what the job does), using the values above."""

    attempts = models.PositiveSmallIntegerField(default=0)
    # When the task was last handed to the broker; empty while it never was (broker down).
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


class JobBusy(Exception):
    """Another delivery holds this job's lease; it runs out in `seconds_left`."""

    def __init__(self, seconds_left: float):
        super().__init__(f"leased for {seconds_left:.0f} s more")
        self.seconds_left = max(seconds_left, 0.0)


@dataclass(frozen=True)
class Jobs:
    """The lease rules for one kind of job: `model` (a LeasedJob), the field its task message
    carries (`key`), how long a lease lasts, and a name for the logs."""

    model: type[LeasedJob]
    name: str
    lease: Callable[[], datetime.timedelta]
    key: str = "pk"
    created: str = "created_at"  # the field that says when the job was made

    def queue(self, key_value, *, send) -> None:
        """Hands the job to the broker through `send`; with the broker down the sweep does."""
        try:
            send((key_value,), retry=False)
        except (BrokerUnavailable, ConnectionError, OSError):
            logger.warning("%s %s not queued: broker unavailable", self.name, key_value)
            return
        # An empty queued_at is what tells the sweep that the broker never got this job.
        self.model.objects.filter(**{self.key: key_value}, state=PENDING).update(
            queued_at=timezone.now()
        )

    def claim(self, queryset, key_value, *, gone: Callable = lambda job: None):
        """Takes the job under a row lock (a compare-and-set on its state and lease): returns
        (job, lease token), or None when there is nothing to do. Raises JobBusy while another
        delivery holds it. `gone(job)` names why its inputs no longer exist (replaced or
        deleted files), which fails it."""
        with transaction.atomic():
            job = queryset.select_for_update().filter(**{self.key: key_value}).first()
            if job is None or job.state in FINISHED:
                return None  # a repeated delivery
            now = timezone.now()  # after the lock, which another claim may have held a while
            lease_ends = self._lease_ends(job)
            if job.state == RUNNING and lease_ends is not None and lease_ends > now:
                # Its holder may still be working: two runs of one job must never overlap.
                raise JobBusy((lease_ends - now).total_seconds())
            reason = gone(job)
            if reason:
                self.fail(job, reason)
                return None
            if job.attempts >= MAX_ATTEMPTS:
                # Each earlier attempt died (worker killed, time limit): a person does it.
                self.fail(job, f"gave up after {job.attempts} attempts")
                return None
            job.state = RUNNING
            job.attempts += 1
            job.started_at = now
            job.lease_token = secrets.token_hex(16)
            job.lease_until = now + self.lease()
            job.save(
                update_fields=["state", "attempts", "started_at", "lease_token", "lease_until"]
            )
        return job, job.lease_token

    def _lease_ends(self, job) -> datetime.datetime | None:
        if job.lease_until is not None:
            return job.lease_until
        # A job started before leases existed: its start plus one lease.
        return job.started_at + self.lease() if job.started_at else None

    @contextlib.contextmanager
    def lease_kept(self, job_id: int, token: str, deadline: datetime.datetime | None):
        """Renews the lease every third of its length while the block runs, never past
        `deadline` (the task's hard time limit: a process still working then is dead)."""
        stop = threading.Event()
        length = self.lease()

        def renew():
            from django.db import connection

            try:
                while not stop.wait(length.total_seconds() / 3):
                    until = timezone.now() + length
                    if deadline is not None:
                        until = min(until, deadline)
                    try:
                        renewed = self.model.objects.filter(
                            pk=job_id, lease_token=token, state=RUNNING
                        ).update(lease_until=until)
                    except DatabaseError:
                        logger.warning("Lease of %s %s not renewed this time", self.name, job_id)
                        continue
                    if not renewed or until == deadline:
                        return  # finished, released, or past the time limit: let it run out
            finally:
                connection.close()  # this thread's own connection

        renewer = threading.Thread(target=renew, name=f"lease-{job_id}", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            stop.set()
            renewer.join(timeout=10)

    def release(self, job_id: int, token: str) -> None:
        """Gives a job back after a retry, time-out or crash: the next delivery need not wait
        for its lease."""
        try:
            self.model.objects.filter(pk=job_id, lease_token=token, state=RUNNING).update(
                state=PENDING, lease_until=None, queued_at=timezone.now()
            )
        except DatabaseError:
            logger.warning("%s %s not released; its lease runs out instead", self.name, job_id)

    def holds(self, job, token: str) -> bool:
        """Whether `token` still holds the (locked) job: a repeated delivery, or one that
        outlived its lease and lost it, does not."""
        return job.state == RUNNING and job.lease_token == token

    def finish(self, job) -> None:
        """Marks a held job's result as recorded; the caller saves it."""
        job.finished_at = timezone.now()
        job.lease_until = None

    def fail(self, job, reason: str) -> None:
        job.state = FAILED
        job.error = reason[:200]
        job.finished_at = timezone.now()
        job.lease_until = None
        job.save(update_fields=["state", "error", "finished_at", "lease_until"])
        logger.info("%s %s failed: %s", self.name, getattr(job, self.key), reason)

    @transaction.atomic
    def mark_failed(self, key_value, reason: str) -> None:
        """Ends a job that failed or timed out; its case then goes to a person."""
        job = self.model.objects.select_for_update().filter(**{self.key: key_value}).first()
        if job is not None and job.state not in FINISHED:
            self.fail(job, reason)

    def sweep(self, queryset, *, send, now: datetime.datetime | None = None) -> list:
        """Re-queues the jobs of `queryset` never queued, whose message was lost or whose
        lease ran out (the worker died); one stuck past its attempts is marked failed.
        Returns the re-queued keys."""
        now = now or timezone.now()
        made_before = {f"{self.created}__lt": now - UNQUEUED_GRACE}
        stuck = queryset.filter(
            Q(state=PENDING, queued_at__isnull=True, **made_before)
            | Q(state=PENDING, queued_at__lt=now - LOST_MESSAGE)
            | Q(state=RUNNING, lease_until__lt=now)
            | Q(state=RUNNING, lease_until__isnull=True, started_at__lt=now - self.lease())
        )
        requeued = []
        for key_value, attempts in stuck.values_list(self.key, "attempts"):
            if attempts >= MAX_ATTEMPTS:
                self.mark_failed(key_value, f"never finished after {attempts} attempts")
                continue
            self.queue(key_value, send=send)
            requeued.append(key_value)
        return requeued


def debug_delay(variable: str) -> Callable[[], None]:
    """A test hook, off by default: the environment `variable` (seconds) makes each job wait
    before its work, so a real-worker test can kill the worker in the middle of one."""

    def delay() -> None:
        seconds = float(os.environ.get(variable, "0") or 0)
        if seconds > 0:
            time.sleep(seconds)

    return delay


def run_in_task(task, jobs: Jobs, key_value, work, *, transient=()) -> None:
    """Runs `work(time_limit=…)` for one job inside the bound Celery `task`, the same way for
    every job: a job another delivery holds is looked at again when its lease runs out (in
    case that worker died); the soft time limit fails it; an error in `transient` (or a
    database or connection error) is retried with backoff, then fails it. A failed job goes to
    a person."""
    timelimit = task.request.timelimit or (None, None)
    try:
        work(time_limit=timelimit[0] or task.time_limit)
    except JobBusy as busy:
        if task.request.is_eager or task.request.retries >= MAX_RETRIES:
            return
        logger.info("%s %s is held by another delivery; retrying", jobs.name, key_value)
        raise task.retry(countdown=int(busy.seconds_left) + 1, max_retries=MAX_RETRIES) from None
    except SoftTimeLimitExceeded:
        jobs.mark_failed(key_value, f"timed out after {timelimit[1] or task.soft_time_limit} s")
    except (*transient, DatabaseError, ConnectionError) as error:
        if task.request.is_eager or task.request.retries >= MAX_RETRIES:
            attempts = task.request.retries + 1
            jobs.mark_failed(key_value, f"failed {attempts} times: {type(error).__name__}")
            return
        countdown = 2 ** (task.request.retries + 1)
        raise task.retry(exc=error, countdown=countdown, max_retries=MAX_RETRIES) from None
