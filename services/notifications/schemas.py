"""Notifications' HTTP bodies (marshmallow at the edge only)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.text import SingleLine, Url

from services.notifications.domain.contacts import CHANNELS


class PreferencesIn(Schema):
    channels = fields.List(SingleLine(validate=validate.OneOf(CHANNELS)), validate=validate.Length(min=1, max=5))
    opted_out = fields.Bool()
    quiet_start = fields.Time(format="%H:%M", allow_none=True)
    quiet_end = fields.Time(format="%H:%M", allow_none=True)
    webhook_url = Url(schemes={"https", "http"}, allow_none=True)

    @validates_schema
    def _quiet_hours_in_pairs(self, data, **_):
        if ("quiet_start" in data) != ("quiet_end" in data):
            raise ValidationError("Give both ends of the quiet hours.", field_name="quiet_end")
