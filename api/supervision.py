"""Telling supervisors that a client's webhook endpoint stopped accepting deliveries."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import User

from .models import WebhookEndpoint

logger = logging.getLogger(__name__)


def tell_supervisors_endpoint_failing(endpoint_id: int) -> int:
    """Emails every active supervisor once; returns how many were told. A mail failure is
    logged (the endpoint stays marked failing in the back office either way)."""
    endpoint = WebhookEndpoint.objects.select_related("client").get(pk=endpoint_id)
    supervisors = User.objects.filter(groups__name=roles.SUPERVISOR, is_active=True)
    link = settings.PORTAL_URL.rstrip("/") + reverse(
        "admin:api_webhookendpoint_change", args=[endpoint.pk]
    )
    told = 0
    for supervisor in supervisors:
        with translation.override(supervisor.preferred_language or settings.LANGUAGE_CODE):
            subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("A webhook endpoint is failing")
            text = _(
                "Deliveries to a webhook endpoint of %(client)s kept failing for the whole retry "
                "schedule. Later events wait in the delivery log and can be resent there: %(link)s"
            ) % {"client": endpoint.client.name, "link": link}
        try:
            send_mail(subject, text, None, [supervisor.email])
            told += 1
        except Exception as exc:
            logger.warning(
                "Failing endpoint %s: supervisor email not sent (%s)",
                endpoint_id,
                type(exc).__name__,
            )
    return told
