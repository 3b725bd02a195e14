"""Notifications' HTTP bodies (marshmallow at the edge only)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.json_types import JsonBool
from shared.text import SingleLine, Url
from shared.timezones import ClockTime

from services.notifications.domain.contacts import CHANNELS


class NotificationFilters(Schema):
    """``GET /v1/notifications``: at least one of these (a rule across parameters that
    OpenAPI 3.0 cannot state; the view answers 400 naming source_event_id without one)."""

    source_event_id = SingleLine(validate=validate.Length(min=1, max=200))
    recipient_id = SingleLine(validate=validate.Length(min=1, max=200))
    correlation_id = SingleLine(validate=validate.Length(min=1, max=200))


class PreferencesIn(Schema):
    channels = fields.List(SingleLine(validate=validate.OneOf(CHANNELS)), validate=validate.Length(min=1, max=5))
    opted_out = JsonBool()
    quiet_start = ClockTime(allow_none=True)
    quiet_end = ClockTime(allow_none=True)
    webhook_url = Url(schemes={"https", "http"}, allow_none=True)

    class Meta:
        json_schema = {"anyOf": [
            {"required": ["quiet_start", "quiet_end"]},
            {"not": {"anyOf": [{"required": ["quiet_start"]}, {"required": ["quiet_end"]}]}},
        ]}

    @validates_schema
    def _quiet_hours_in_pairs(self, data, **_):
        if ("quiet_start" in data) != ("quiet_end" in data):
            raise ValidationError("Give both ends of the quiet hours.", field_name="quiet_end")
