"""Handing a screening to a worker: the one place domain code reaches the tasks (after the
commit, so the worker finds the Screening row)."""

from . import services, tasks


def queue_screening(screening_id: int) -> None:
    services.queue_screening(screening_id, send=tasks.screen_application.apply_async)
