"""Shapes of the API's bodies: they document the schema (drf-spectacular) and check input."""

from rest_framework import serializers

from .applicants import API_STATUSES
from .models import ALL_EVENT_TYPES


class ApplicantSerializer(serializers.Serializer):
    reference = serializers.CharField(
        allow_null=True, help_text="Your own customer reference (null: known by sales group only)."
    )
    email = serializers.EmailField()
    status = serializers.ChoiceField(choices=API_STATUSES)
    action_required = serializers.BooleanField(
        help_text="Under review, and the customer must re-upload or correct something."
    )
    retry_allowed = serializers.BooleanField(
        help_text="Rejected or lapsed: the customer may start a new application."
    )
    level = serializers.ChoiceField(
        choices=["individual", "organization"], allow_null=True, help_text="What was verified."
    )
    document_country = serializers.CharField(
        allow_null=True, help_text="ISO 3166-1 alpha-2 country of the identity document."
    )
    submitted_at = serializers.DateTimeField(allow_null=True)
    passed_at = serializers.DateTimeField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    expected_completion_at = serializers.DateTimeField(
        allow_null=True, help_text="While provided or under review: when a decision is due."
    )
    updated_at = serializers.DateTimeField(allow_null=True)


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Also the webhook-id, as evt_<id>.")
    type = serializers.ChoiceField(choices=ALL_EVENT_TYPES)
    created_at = serializers.DateTimeField()
    data = ApplicantSerializer()


class EventPageSerializer(serializers.Serializer):
    events = EventSerializer(many=True)
    next_cursor = serializers.CharField(
        help_text="Pass as ?after= to read on; the same value when nothing is new."
    )
    has_more = serializers.BooleanField()


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(required=False)


class InvitationRequestSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100)
    email = serializers.EmailField(required=False, allow_blank=True)
    return_url = serializers.URLField(required=False, allow_blank=True, max_length=500)


class InvitationSerializer(serializers.Serializer):
    url = serializers.URLField()
    expires_at = serializers.DateTimeField()
