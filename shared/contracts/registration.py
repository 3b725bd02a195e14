"""Events published by the registration service on ``registration.events``."""
from marshmallow import Schema, fields, validate

from shared.contracts import Contract, register

TOPIC = "registration.events"
PARTICIPANT_REGISTERED = "bsm.registration.participant.registered.v1"

ROLES = ("seller", "buyer")
LANGUAGES = ("ks", "ur", "hi", "doi", "en")


class ParticipantRegisteredV1(Schema):
    participant_id = fields.Str(required=True)
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    name = fields.Str(required=True)
    organisation = fields.Str(load_default=None, allow_none=True)
    district = fields.Str(load_default=None, allow_none=True)
    state = fields.Str(load_default=None, allow_none=True)
    country = fields.Str(required=True)
    phone = fields.Str(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)
    preferred_language = fields.Str(required=True, validate=validate.OneOf(LANGUAGES))
    registered_at = fields.AwareDateTime(required=True)
    version = fields.Int(required=True)


register(
    Contract(PARTICIPANT_REGISTERED, TOPIC, "A seller or buyer registered on the platform.", ParticipantRegisteredV1),
)
