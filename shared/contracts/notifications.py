"""Events published by the notifications service on ``notifications.events``."""
from marshmallow import Schema, fields, validate

from shared.contracts import Contract, register

TOPIC = "notifications.events"
NOTIFICATION_SENT = "bsm.notifications.notification.sent.v1"
NOTIFICATION_FAILED = "bsm.notifications.notification.failed.v1"
CHANNELS = ("email", "sms", "whatsapp", "webhook", "inbox")


class NotificationOutcomeV1(Schema):
    notification_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    channel = fields.Str(required=True, validate=validate.OneOf(CHANNELS))
    recipient_id = fields.Str(required=True)
    source_event_id = fields.Str(required=True)
    attempts = fields.Int(required=True)
    at = fields.AwareDateTime(required=True)
    error = fields.Str(load_default=None, allow_none=True)


register(
    Contract(NOTIFICATION_SENT, TOPIC, "A notification reached its channel.", NotificationOutcomeV1),
    Contract(NOTIFICATION_FAILED, TOPIC, "A notification could not be delivered and will not be retried.", NotificationOutcomeV1),
)
