"""Events published by the registration service on ``registration.events``.

Each carries what its consumers need, so nobody calls back into registration: participant
events carry the whole profile (contact details included, for notifications), meet events
the whole meet with its slots, participation events the application.
"""
from marshmallow import Schema, fields, validate

from shared.contracts import Contract, register
from shared.gi_tags import registry_name
from shared.timezones import TimeZone

TOPIC = "registration.events"
PARTICIPANT_REGISTERED = "bsm.registration.participant.registered.v1"
PARTICIPANT_UPDATED = "bsm.registration.participant.updated.v1"
PARTICIPANT_VERIFIED = "bsm.registration.participant.verified.v1"
VERIFICATION_REQUESTED = "bsm.registration.participant.verification_requested.v2"
"""v2 carries the code sealed (``sealed_code``); v1 carried it in clear and is no longer published."""
MEET_CREATED = "bsm.registration.meet.created.v1"
MEET_UPDATED = "bsm.registration.meet.updated.v1"
MEET_STATUS_CHANGED = "bsm.registration.meet.status_changed.v1"
PARTICIPATION_APPLIED = "bsm.registration.participation.applied.v1"
PARTICIPATION_APPROVED = "bsm.registration.participation.approved.v1"
PARTICIPATION_REJECTED = "bsm.registration.participation.rejected.v1"
PARTICIPATION_WAITLISTED = "bsm.registration.participation.waitlisted.v1"
PARTICIPATION_WITHDRAWN = "bsm.registration.participation.withdrawn.v1"
PARTICIPATION_AVAILABILITY_CHANGED = "bsm.registration.participation.availability_changed.v1"
"""The meet's slots changed and the application was brought onto them: no decision was made."""

ROLES = ("seller", "buyer")
LANGUAGES = ("ks", "ur", "hi", "doi", "en")


class GiTagName(fields.Str):
    """A GI tag, read by its registry name (``shared/gi_tags.py``): events published before
    the platform took the registry's names carry the names it used before."""

    def _deserialize(self, value, attr, data, **kwargs):
        return registry_name(super()._deserialize(value, attr, data, **kwargs))


class QuantityV1(Schema):
    value = fields.Str(required=True)
    unit = fields.Str(required=True)


class PriceBandV1(Schema):
    min = fields.Str(required=True)
    max = fields.Str(required=True)
    currency = fields.Str(required=True)
    unit = fields.Str(required=True)


class ProductV1(Schema):
    id = fields.Str(required=True)
    name = fields.Str(required=True)
    odop_product = fields.Str(allow_none=True, load_default=None)
    category = fields.Str(required=True)
    district = fields.Str(allow_none=True, load_default=None)
    gi_tag = GiTagName(allow_none=True, load_default=None)
    certifications = fields.List(fields.Str(), load_default=list)
    monthly_capacity = fields.Nested(QuantityV1, allow_none=True, load_default=None)
    minimum_order = fields.Nested(QuantityV1, allow_none=True, load_default=None)
    price_band = fields.Nested(PriceBandV1, allow_none=True, load_default=None)
    export_ready = fields.Bool(load_default=False)


class SourcingV1(Schema):
    categories = fields.List(fields.Str(), load_default=list)
    products = fields.List(fields.Str(), load_default=list)
    annual_volume = fields.Nested(QuantityV1, allow_none=True, load_default=None)
    price_band = fields.Nested(PriceBandV1, allow_none=True, load_default=None)
    required_certifications = fields.List(fields.Str(), load_default=list)
    gi_tags = fields.List(GiTagName(), load_default=list)
    destination_markets = fields.List(fields.Str(), load_default=list)


class VerifiedClaimV1(Schema):
    kind = fields.Str(required=True)
    product = fields.Str(allow_none=True, load_default=None)
    valid_until = fields.Date(allow_none=True, load_default=None)


class ParticipantV1(Schema):
    participant_id = fields.Str(required=True)
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    name = fields.Str(required=True)
    organisation = fields.Str(load_default=None, allow_none=True)
    enterprise_kind = fields.Str(load_default=None, allow_none=True)
    buyer_kind = fields.Str(load_default=None, allow_none=True)
    district = fields.Str(load_default=None, allow_none=True)
    state = fields.Str(load_default=None, allow_none=True)
    country = fields.Str(required=True)
    international = fields.Bool(load_default=False)
    phone = fields.Str(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)
    share_contact = fields.Bool(load_default=True, metadata={
        "description": "Whether the other side of a confirmed meeting (published, accepted or held) may see phone and email; absent means yes."})
    preferred_language = fields.Str(required=True, validate=validate.OneOf(LANGUAGES))
    languages = fields.List(fields.Str(), load_default=list)
    products = fields.List(fields.Nested(ProductV1), load_default=list)
    sourcing = fields.Nested(SourcingV1, load_default=dict)
    verified_claims = fields.List(fields.Nested(VerifiedClaimV1), load_default=list)
    ecommerce = fields.Dict(keys=fields.Str(), values=fields.Str(), load_default=dict)
    contact_verified = fields.Bool(load_default=False)
    registered_at = fields.AwareDateTime(required=True)
    version = fields.Int(required=True)


class VerificationRequestedV2(Schema):
    participant_id = fields.Str(required=True)
    name = fields.Str(required=True)
    channel = fields.Str(required=True, validate=validate.OneOf(("sms", "email")))
    address = fields.Str(required=True)
    preferred_language = fields.Str(required=True)
    sealed_code = fields.Str(required=True, metadata={
        "description": "The one-time code sealed under BSM_CODE_KEY (Fernet, shared/one_time_codes.py): only notifications opens it, to send it."})
    expires_at = fields.AwareDateTime(required=True)


class SlotV1(Schema):
    id = fields.Str(required=True)
    day = fields.Date(required=True)
    start = fields.Str(required=True)
    end = fields.Str(required=True)


class MeetV1(Schema):
    meet_id = fields.Str(required=True)
    name = fields.Str(required=True)
    venue = fields.Str(required=True)
    city = fields.Str(required=True)
    timezone = TimeZone(required=True)
    days = fields.List(fields.Date(), required=True)
    meeting_minutes = fields.Int(required=True)
    reminder_minutes = fields.Int(load_default=30)
    tables = fields.Int(required=True)
    capacity_sellers = fields.Int(required=True)
    capacity_buyers = fields.Int(required=True)
    slots = fields.List(fields.Nested(SlotV1), required=True)
    status = fields.Str(required=True)
    previous_status = fields.Str(load_default=None, allow_none=True)
    historical = fields.Bool(load_default=False, metadata={"description": "A meet recorded after it happened: send nobody anything about it, schedule no follow-up already past."})
    version = fields.Int(required=True)


class MeetApprovedV1(Schema):
    """A meet's approved participants per role once a decision was made, and its time."""

    seller = fields.Int(required=True)
    buyer = fields.Int(required=True)
    as_of = fields.Str(required=True)


class ParticipationV1(Schema):
    meet_id = fields.Str(required=True)
    participant_id = fields.Str(required=True)
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    status = fields.Str(required=True)
    availability = fields.List(fields.Str(), required=True)
    reason = fields.Str(load_default=None, allow_none=True)
    meet_name = fields.Str(required=True)
    version = fields.Int(required=True)
    meet_approved = fields.Nested(MeetApprovedV1, load_default=None, allow_none=True,
                                  metadata={"description": "For a decision: the meet's approved counts once it was made"})
    meet_version = fields.Int(load_default=None, allow_none=True, metadata={
        "description": "The meet version whose slots availability is written on (after an edit of the meet's slots, a version the "
                       "meet's own event may not have brought yet). Absent from events published before it was added."})


register(
    Contract(PARTICIPANT_REGISTERED, TOPIC, "A seller or buyer registered (whole profile).", ParticipantV1),
    Contract(PARTICIPANT_UPDATED, TOPIC, "A participant's profile changed (whole profile, new version).", ParticipantV1),
    Contract(PARTICIPANT_VERIFIED, TOPIC, "A participant proved they hold their phone or email.", ParticipantV1),
    Contract(VERIFICATION_REQUESTED, TOPIC, "A one-time code must reach the participant (sealed).", VerificationRequestedV2),
    Contract(MEET_CREATED, TOPIC, "An organiser created a Buyer-Seller Meet.", MeetV1),
    Contract(MEET_UPDATED, TOPIC, "A meet's details changed.", MeetV1),
    Contract(MEET_STATUS_CHANGED, TOPIC, "A meet moved in its lifecycle (e.g. registration opened).", MeetV1),
    Contract(PARTICIPATION_APPLIED, TOPIC, "A participant applied to a meet with their availability.", ParticipationV1),
    Contract(PARTICIPATION_APPROVED, TOPIC, "An organiser approved an application.", ParticipationV1),
    Contract(PARTICIPATION_REJECTED, TOPIC, "An organiser rejected an application (with the reason).", ParticipationV1),
    Contract(PARTICIPATION_WAITLISTED, TOPIC, "An application waits for a place.", ParticipationV1),
    Contract(PARTICIPATION_WITHDRAWN, TOPIC, "A participant left a meet.", ParticipationV1),
    Contract(PARTICIPATION_AVAILABILITY_CHANGED, TOPIC,
             "The application's availability changed (new version, same status): chosen again by the participant or an organiser, "
             "or carried onto the meet's slots after an edit changed them.",
             ParticipationV1),
)
