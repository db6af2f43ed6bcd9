"""Starting an application's face match: the one place other apps reach the face task.

Called after the commit of an upload (transaction.on_commit), so the worker sees the rows.
"""

from . import matching, tasks


def start_face_match(verification_id: int) -> None:
    """Queues the match of the current portrait and holding photo, once both are there."""
    matching.start_match(verification_id, send=tasks.match_faces.apply_async)
