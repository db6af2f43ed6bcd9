from .models import AuditEvent


def record(actor, action, *, verification=None, subject=None, **detail) -> AuditEvent:
    """Appends one audit event. `detail` must hold ids and labels, never personal data."""
    if subject is None and verification is not None:
        subject = verification.user
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        verification=verification,
        subject=subject,
        detail=detail,
    )
