"""Events published by the matching service on ``matching.events``."""
from marshmallow import Schema, fields

from shared.contracts import Contract, register

TOPIC = "matching.events"
PARTICIPANT_INDEXED = "bsm.matching.participant.indexed.v1"


class ParticipantIndexedV1(Schema):
    participant_id = fields.Str(required=True)
    role = fields.Str(required=True)
    version = fields.Int(required=True)


register(
    Contract(
        PARTICIPANT_INDEXED,
        TOPIC,
        "Matching now knows a participant (or a newer version of one) and will consider them.",
        ParticipantIndexedV1,
    ),
)
