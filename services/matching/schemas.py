"""Matching's HTTP bodies (marshmallow at the edge only)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.contracts.registration import LANGUAGES
from shared.json_types import JsonBool, JsonInt, JsonNumber
from shared.money import CURRENCIES_IN_USE, CURRENCY_ERROR
from shared.text import MultiLine, SingleLine

from services.matching.domain.objectives import DEFAULT_ORDER, OBJECTIVES, order_of
from services.matching.domain.preferences import PREFERENCES
from services.matching.domain.required import POLICIES


class PreferenceIn(Schema):
    preference = SingleLine(required=True, validate=validate.OneOf(PREFERENCES))


class PairRuleIn(Schema):
    seller_id = SingleLine(required=True, validate=validate.Length(min=1, max=100))
    buyer_id = SingleLine(required=True, validate=validate.Length(min=1, max=100))
    required = JsonBool(load_default=True, metadata={"description": "The meeting must be placed (or the draft says why it cannot be)"})
    slots = fields.List(SingleLine(validate=validate.Length(min=1, max=40)), load_default=None, validate=validate.Length(min=1, max=500),
                        metadata={"description": "Slot ids the meeting may take (e.g. the mornings); default: any"})


def _each_objective_once(names: list[str]) -> None:
    try:
        order_of(names)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class PublishIn(Schema):
    draft_id = SingleLine(load_default=None, validate=validate.Length(min=1, max=100), metadata={
        "description": "The draft reviewed (the draft's draft_id): refused (409) when a newer draft was built since. "
                       "Without it, the latest draft is published"})


class DraftIn(Schema):
    max_meetings = JsonInt(load_default=12, validate=validate.Range(min=1, max=100))
    force = JsonBool(load_default=False, metadata={"description": "Draft even though matching has not yet handled every registration event (the answer warns with the counts)"})
    buyer_preference_factor = JsonNumber(load_default=1.5, validate=validate.Range(min=0.5, max=5), metadata={"description": "How much more a buyer's wish weighs than a seller's"})
    max_meetings_by_participant = fields.Dict(
        keys=SingleLine(validate=validate.Length(min=1, max=100)), values=JsonInt(validate=validate.Range(min=0, max=100)),
        load_default=dict, metadata={"description": "Caps for particular participants (participant id -> meetings)"},
    )
    required = SingleLine(load_default="none", validate=validate.OneOf(POLICIES), metadata={
        "description": "Which requested meetings must be placed before any other: none, must_meet (either side said must meet) "
                       "or requests (either side asked); those that cannot be are listed in required_missing with the reason"})
    pairs = fields.List(fields.Nested(PairRuleIn), load_default=list, validate=validate.Length(max=5000),
                        metadata={"description": "Pairs the organiser rules on: required, and/or a window of slots"})
    time_limit_s = JsonNumber(load_default=10.0, validate=validate.Range(min=0.5, max=60), metadata={"description": "Seconds the solver may take (the best schedule found by then is returned)"})
    objectives = fields.List(SingleLine(validate=validate.OneOf(OBJECTIVES)), load_default=lambda: list(DEFAULT_ORDER),
                             validate=[validate.Length(equal=len(OBJECTIVES)), _each_objective_once],
                             metadata={"uniqueItems": True, "description": "The order the schedule's objectives are ranked in, most important first: each of "
                                                      "required (required meetings placed), value (the meetings' value) and breaks (the fewest runs "
                                                      "of empty slots between one participant's meetings) once. Default: required, value, breaks"})


def _typed(kind, described: dict[str, str | None], **options) -> dict:
    """Fields of one ``kind`` by name, each with its description (None: none)."""
    return {name: kind(**options, **({"metadata": {"description": text}} if text else {})) for name, text in described.items()}


MeetingsPerPerson = Schema.from_dict({**_typed(fields.Int, {"min": None, "max": None}), "median": fields.Float()}, name="MeetingsPerPerson")

DraftStatsOut = Schema.from_dict({
    **_typed(fields.Int, {
        "meetings": None, "requested_pairs": None, "requested_scheduled": None, "unscheduled_requests": None,
        "breaks": "Runs of empty slots between two of one participant's meetings within a day, summed",
        "breaks_bound": "No schedule of this value has fewer breaks",
        "idle_slots": "Empty slots between each participant's first and last meeting of a day, summed",
        "participants_approved": None, "participants_used": "Approved participants with at least one meeting",
        "participants_without_meetings": None,
        "required_meetings": "Meetings the draft's rules require", "required_placed": "Required meetings the draft holds",
    }),
    **_typed(fields.Float, {
        "value": None, "value_bound": "No schedule placing as many required meetings has more value",
        "upper_bound": "The same proven bound (kept for earlier clients)", "gap": "1 - value / upper_bound (0: proven optimal in value)",
        "mean_idle_slots": "Idle slots per participant with meetings", "solve_seconds": None,
    }),
    **_typed(fields.Str, {"status": "optimal (value and breaks proven best) or feasible", "method": "How the schedule was found"}),
    "meetings_per_person": fields.Nested(MeetingsPerPerson, metadata={"description": "Over the approved participants"}),
    "left_out_by_reason": fields.Dict(keys=fields.Str(), values=fields.Int()),
    "objectives": fields.List(fields.Str(), metadata={"description": "The order the draft ranked schedules in, most important first"}),
}, name="DraftStatsOut")

DraftMeetingOut = Schema.from_dict({
    **_typed(fields.Str, {"seller_id": None, "buyer_id": None, "slot_id": None, "kind": None}),
    **_typed(fields.Str, {"interpreter": None, "seller_name": None, "seller_district": None, "buyer_name": None, "buyer_country": None}, allow_none=True),
    **_typed(fields.Int, {"slot_index": None, "table": None}),
    "value": fields.Float(), "reasons": fields.List(fields.Str()), "published": fields.Bool(),
}, name="DraftMeetingOut")

LeftOutOut = Schema.from_dict({
    **_typed(fields.Str, {
        "seller_id": None, "buyer_id": None, "kind": None, "detail": None,
        "reason": "had_meeting | no_thanks | no_shared_language | availability | no_interpreter | caps | tables | interpreters_busy | not_reached | busy "
                  "(required_missing also: not_approved | roles)",
    }),
    "value": fields.Float(),
}, name="LeftOutOut")

PersonLoadOut = Schema.from_dict(_typed(fields.Int, {"meetings": None, "breaks": None, "idle_slots": None}), name="PersonLoadOut")


class DraftOut(Schema):
    draft_id = fields.Str(metadata={"description": "Give it to publish, so that only this draft is published"})
    stats = fields.Nested(DraftStatsOut)
    meetings = fields.List(fields.Nested(DraftMeetingOut))
    left_out = fields.List(fields.Nested(LeftOutOut), metadata={"description": "Every candidate pair not scheduled, with the reason"})
    without_meetings = fields.List(fields.Str(), metadata={"description": "Approved participants with no meeting"})
    required_missing = fields.List(fields.Nested(LeftOutOut), metadata={
        "description": "Every required meeting not in the draft, with the reason (kind named: a pair the organiser named that cannot meet "
                       "at all: not_approved, roles or no_thanks)"})
    per_person = fields.Dict(keys=fields.Str(), values=fields.Nested(PersonLoadOut))
    registration_seen = fields.Dict(metadata={"description": "How far matching had consumed registration's events (per partition), "
                                              "the approved participants it knew and those registration counted"})
    warnings = fields.List(fields.Str(), metadata={"description": "What a forced draft may be missing"})


class OutcomeIn(Schema):
    outcome = SingleLine(required=True, validate=validate.OneOf(("held", "no_show_seller", "no_show_buyer", "no_show_both")))


POSITIVE_AMOUNT = r"^(?:[1-9][0-9]{0,12}(?:\.[0-9]{1,2})?|0\.(?:0[1-9]|[1-9][0-9]?))$"
"""An amount above 0 with at most 13 digits before the point and 2 after, no leading zero."""
POSITIVE_QUANTITY = r"^(?:[1-9][0-9]{0,11}(?:\.[0-9]{1,3})?|0\.(?:00[1-9]|0[1-9][0-9]?|[1-9][0-9]{0,2}))$"
"""A quantity above 0 with at most 12 digits before the point and 3 after, no leading zero."""
AMOUNT_ERROR = "An amount above 0 such as 1250000 or 1250000.50."


class MoneyIn(Schema):
    amount = SingleLine(required=True, validate=validate.Regexp(POSITIVE_AMOUNT, error=AMOUNT_ERROR))
    currency = SingleLine(load_default="INR", validate=validate.OneOf(CURRENCIES_IN_USE, error=CURRENCY_ERROR))


class QuantityIn(Schema):
    value = SingleLine(required=True, validate=validate.Regexp(POSITIVE_QUANTITY, error="A quantity above 0 such as 200 or 12.5."))
    unit = SingleLine(required=True, validate=validate.Length(min=1, max=20))


class LoiIn(Schema):
    product = SingleLine(required=True, validate=validate.Length(min=2, max=200))
    quantity = fields.Nested(QuantityIn, required=True)
    value = fields.Nested(MoneyIn, required=True)
    value_inr = SingleLine(load_default=None, validate=validate.Regexp(POSITIVE_AMOUNT, error=AMOUNT_ERROR),
                           metadata={"description": "Required when value is not in INR: its INR equivalent at signing."})
    delivery_terms = MultiLine(load_default=None, validate=validate.Length(max=500))
    signed_on = fields.Date(required=True, metadata={"description": "The day it was signed: the meeting's day or later, not after today at the venue "
                                                     "(422 otherwise); the meeting must have begun (409 otherwise)."})

    @validates_schema
    def _inr_equivalent(self, data, **_):
        if data["value"]["currency"] != "INR" and not data.get("value_inr"):
            raise ValidationError("Give the INR value at signing for a foreign-currency LoI.", field_name="value_inr")


class CancellationIn(Schema):
    participant_id = SingleLine(required=True, validate=validate.Length(min=1, max=100))
    reason = SingleLine(load_default="cancelled", validate=validate.OneOf(("cancelled", "no_show")))
    max_meetings = JsonInt(load_default=None, validate=validate.Range(min=1, max=100),
                           metadata={"description": "Most meetings per person the fill-ins may make; default: the published draft's"})


class RequestIn(Schema):
    from_id = SingleLine(load_default=None, metadata={"description": "Organisers add meetings on someone's behalf; participants omit it."})
    to_id = SingleLine(required=True, validate=validate.Length(min=1, max=100))
    message = MultiLine(load_default=None, validate=validate.Length(max=1000))


class FollowUpIn(Schema):
    status = SingleLine(required=True, validate=validate.OneOf(("in_negotiation", "order_placed", "lapsed")))
    order_value = fields.Nested(MoneyIn, load_default=None)
    order_value_inr = SingleLine(load_default=None, validate=validate.Regexp(r"^[0-9]{1,13}(\.[0-9]{1,2})?$"))
    note = MultiLine(load_default=None, validate=validate.Length(max=1000))

    @validates_schema
    def _order_has_value(self, data, **_):
        if data["status"] == "order_placed" and not data.get("order_value"):
            raise ValidationError("An order placed has a value.", field_name="order_value")
        value = data.get("order_value")
        if value and value["currency"] != "INR" and not data.get("order_value_inr"):
            raise ValidationError("Give the INR value of a foreign-currency order.", field_name="order_value_inr")


class RatingIn(Schema):
    stars = JsonInt(required=True, validate=validate.Range(min=1, max=5))
    wants_to_continue = JsonBool(required=True)


class CheckInIn(Schema):
    participant_id = SingleLine(required=True, validate=validate.Length(min=1, max=100))


class WalkInIn(Schema):
    seller_id = SingleLine(required=True)
    buyer_id = SingleLine(required=True)
    slot_id = SingleLine(load_default=None, metadata={"description": "Default: the first slot both are free in."})


class InterpreterIn(Schema):
    name = SingleLine(required=True, validate=validate.Length(min=2, max=120))
    languages = fields.List(SingleLine(validate=validate.OneOf(LANGUAGES, error="One of the platform's language codes: {choices}.")), required=True,
                            validate=validate.Length(min=2, max=10))
    availability = fields.List(SingleLine(), required=True, validate=validate.Length(min=1, max=500))


class LockIn(Schema):
    seller_id = SingleLine(required=True, validate=validate.Length(min=1, max=100))
    buyer_id = SingleLine(required=True, validate=validate.Length(min=1, max=100))
    slot_id = SingleLine(required=True, validate=validate.Length(min=1, max=40))
    table = JsonInt(load_default=None, validate=validate.Range(min=1, max=5000))


class BulkPreferenceItem(PreferenceIn):
    participant_id = SingleLine(required=True, validate=validate.Length(min=1, max=100))
    counterpart_id = SingleLine(required=True, validate=validate.Length(min=1, max=100))


class MeetingRef(Schema):
    """A meeting named by its id, or by its seller and buyer (a pair meets once per meet)."""

    meeting_id = SingleLine(load_default=None, validate=validate.Length(min=1, max=100))
    seller_id = SingleLine(load_default=None, validate=validate.Length(min=1, max=100))
    buyer_id = SingleLine(load_default=None, validate=validate.Length(min=1, max=100))

    @validates_schema
    def _named(self, data, **_):
        if not data.get("meeting_id") and not (data.get("seller_id") and data.get("buyer_id")):
            raise ValidationError("Name the meeting: meeting_id, or seller_id and buyer_id.", field_name="meeting_id")


class BulkOutcomeItem(MeetingRef, OutcomeIn):
    pass


class BulkLoiItem(MeetingRef, LoiIn):
    pass
