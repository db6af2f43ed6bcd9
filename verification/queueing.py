"""Handing a document's reading to the OCR worker: the one place domain code reaches the tasks.

verification.tasks imports the domain modules, so they never import it; they queue through
here, after the commit (transaction.on_commit), so a worker never misses the rows it reads.
"""

from . import reading, tasks


def queue_reading(document_id: int) -> None:
    """Queues the OCR task for one document; with the broker down the sweep queues it later."""
    reading.queue_reading(document_id, send=tasks.extract_document.apply_async)
