"""The shop's JSON API: thin views over api.applicants and api.invitations."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from . import applicants, handoff
from .models import ClientEvent, Scope
from .problems import Problem
from .serializers import (
    ApplicantSerializer,
    EventPageSerializer,
    InvitationRequestSerializer,
    InvitationSerializer,
    ProblemSerializer,
)

ERRORS = {code: ProblemSerializer for code in (400, 401, 403, 404, 429)}
MAX_PAGE = 500


class ClientView(APIView):
    """A view for one client's key; query parameters outside `allowed_params` are refused."""

    allowed_params: tuple[str, ...] = ()
    required_scope = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - set(self.allowed_params))
        if unknown:
            raise Problem(
                400,
                "unknown_parameter",
                _("Unknown query parameter: %(names)s.") % {"names": ", ".join(unknown)},
            )

    @property
    def client(self):
        return self.request.auth.client


def _not_found():
    return Problem(404, "not_found", _("No applicant with this reference or email for your key."))


class ApplicantDetail(ClientView):
    required_scope = Scope.APPLICANTS_READ

    @extend_schema(
        operation_id="applicant_by_reference",
        responses={200: ApplicantSerializer, **ERRORS},
        summary="Look up by reference",
    )
    def get(self, request, reference):
        data = applicants.data_by_reference(self.client, reference)
        if data is None:
            raise _not_found()
        return Response(data)


class ApplicantByEmail(ClientView):
    required_scope = Scope.APPLICANTS_READ
    allowed_params = ("email",)

    @extend_schema(
        operation_id="applicant_by_email",
        parameters=[OpenApiParameter("email", str, required=True, description="Exact address.")],
        responses={200: ApplicantSerializer, **ERRORS},
        summary="Look up by exact email (there is no listing of all applicants)",
    )
    def get(self, request):
        email = request.query_params.get("email", "").strip()
        if not email:
            raise Problem(
                400,
                "invalid_request",
                _("Give ?email= (exact address) or use a reference."),
                errors={"email": [_("This parameter is required.")]},
            )
        user = applicants.find_by_email(self.client, email)
        if user is None:
            raise _not_found()
        return Response(applicants.applicant_data(self.client, user))


def _event_body(event: ClientEvent) -> dict:
    return {
        "id": event.pk,
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "data": event.data,
    }


class EventList(ClientView):
    """Status changes of the client's customers, oldest first, after a cursor (for polling)."""

    required_scope = Scope.EVENTS_READ
    allowed_params = ("after", "limit")

    @extend_schema(
        operation_id="events_since",
        parameters=[
            OpenApiParameter("after", str, description="next_cursor of the previous page."),
            OpenApiParameter("limit", int, description=f"1 to {MAX_PAGE}, default 100."),
        ],
        responses={200: EventPageSerializer, **ERRORS},
        summary="Status changes since a cursor",
    )
    def get(self, request):
        after = self._number("after", default=0, minimum=0, maximum=None)
        limit = self._number("limit", default=100, minimum=1, maximum=MAX_PAGE)
        events = list(
            ClientEvent.objects.filter(client=self.client, pk__gt=after).order_by("pk")[: limit + 1]
        )
        page = events[:limit]
        cursor = page[-1].pk if page else after
        return Response(
            {
                "events": [_event_body(event) for event in page],
                "next_cursor": str(cursor),
                "has_more": len(events) > limit,
            }
        )

    def _number(self, name, *, default, minimum, maximum):
        raw = self.request.query_params.get(name, "")
        if raw == "":
            return default
        if not raw.isdigit() or int(raw) < minimum or (maximum is not None and int(raw) > maximum):
            raise Problem(
                400,
                "invalid_request",
                _("%(name)s must be a whole number from %(minimum)s up to %(maximum)s.")
                % {"name": name, "minimum": minimum, "maximum": maximum or "∞"},
                errors={name: [_("Not a valid value.")]},
            )
        return int(raw)


class InvitationCreate(ClientView):
    """A hand-off link for one of the client's customers (see api.handoff)."""

    required_scope = Scope.INVITATIONS_WRITE

    @extend_schema(
        operation_id="create_invitation",
        request=InvitationRequestSerializer,
        responses={201: InvitationSerializer, **ERRORS},
        summary="Create a signed, single-use hand-off link",
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise Problem(400, "invalid_request", _("Send a JSON object."))
        unknown = sorted(set(request.data) - set(InvitationRequestSerializer().fields))
        if unknown:
            raise Problem(
                400,
                "unknown_field",
                _("Unknown field: %(names)s.") % {"names": ", ".join(unknown)},
                errors={name: [_("Unknown field.")] for name in unknown},
            )
        form = InvitationRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            invitation = handoff.create_invitation(self.client, **form.validated_data)
        except handoff.HandoffRefused:
            raise Problem(
                400,
                "return_url_not_allowed",
                _("return_url must be an https address on one of your registered domains."),
                errors={"return_url": [_("Not on a registered domain.")]},
            ) from None
        body = {
            "url": handoff.link_for(invitation),
            "expires_at": invitation.expires_at.isoformat(),
        }
        return Response(body, status=201)
