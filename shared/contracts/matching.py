"""Events published by the matching service on ``matching.events``."""
from marshmallow import Schema, fields, validate

from shared.contracts import Contract, register
from shared.timezones import TimeZone

TOPIC = "matching.events"
PARTICIPANT_INDEXED = "bsm.matching.participant.indexed.v1"
SCHEDULE_PUBLISHED = "bsm.matching.schedule.published.v1"
MEETING_SCHEDULED = "bsm.matching.meeting.scheduled.v1"
MEETING_CANCELLED = "bsm.matching.meeting.cancelled.v1"
MEETING_OUTCOME_RECORDED = "bsm.matching.meeting.outcome_recorded.v1"
LOI_SIGNED = "bsm.matching.loi.signed.v1"
LOI_FOLLOWED_UP = "bsm.matching.loi.followed_up.v1"
FOLLOW_UP_DUE = "bsm.matching.loi.follow_up_due.v1"
MATCH_SCORES_UPDATED = "bsm.matching.match_scores.updated.v1"
MEETING_REQUESTED = "bsm.matching.meeting.requested.v1"
MEETING_ACCEPTED = "bsm.matching.meeting.accepted.v1"
MEETING_DECLINED = "bsm.matching.meeting.declined.v1"


class ParticipantIndexedV1(Schema):
    participant_id = fields.Str(required=True)
    role = fields.Str(required=True)
    version = fields.Int(required=True)


class PublishedSellerV1(Schema):
    seller_id = fields.Str(required=True)
    buyer_ids = fields.List(fields.Str(), required=True)


class ScheduleV1(Schema):
    meet_id = fields.Str(required=True)
    meetings = fields.Int(required=True)
    value = fields.Float(required=True)
    upper_bound = fields.Float(required=True)
    published_at = fields.AwareDateTime(required=True)
    sellers = fields.List(fields.Nested(PublishedSellerV1), load_default=None, allow_none=True, metadata={
        "description": "Every meeting of the published schedule, as each seller with the buyers they meet (a pair meets at most "
                       "once per meet), so a consumer knows when it has every meeting of the publication. Absent from events "
                       "published before it was added."})


class MeetingV1(Schema):
    meeting_id = fields.Str(required=True)
    meet_id = fields.Str(required=True)
    seller_id = fields.Str(required=True)
    buyer_id = fields.Str(required=True)
    slot_id = fields.Str(required=True)
    day = fields.Str(required=True)
    start = fields.Str(required=True)
    end = fields.Str(required=True)
    table = fields.Int(required=True)
    timezone = TimeZone(required=True)
    reasons = fields.List(fields.Str(), load_default=list)
    interpreter = fields.Str(load_default=None, allow_none=True)
    interpreter_name = fields.Str(load_default=None, allow_none=True, metadata={
        "description": "The interpreter's name, so that messages name them. Absent from events published before it was added."})
    status = fields.Str(required=True)
    version = fields.Int(required=True)


CANCEL_REASONS = ("withdrawn", "cancelled", "no_show", "unavailable", "meet_changed", "no_shared_language")
"""Why matching cancels a published meeting: one side left the meet (``withdrawn``: withdrew or
was rejected), an organiser recorded that one side cancelled (``cancelled``) or did not show
(``no_show``), one side no longer attends its slot (``unavailable``), the meet's slots or
tables changed under it (``meet_changed``), one side gave up a language and the two share
none and no interpreter of the pool is free to bridge them (``no_shared_language``)."""


class MeetingCancelledV1(MeetingV1):
    cancel_reason = fields.Str(load_default=None, allow_none=True, metadata={
        "description": f"Why it was cancelled: one of {', '.join(CANCEL_REASONS)}; a consumer reads one it does not know as "
                       "no reason given. Absent from events published before it was added."})


class OutcomeV1(Schema):
    meeting_id = fields.Str(required=True)
    meet_id = fields.Str(required=True)
    seller_id = fields.Str(required=True)
    buyer_id = fields.Str(required=True)
    outcome = fields.Str(required=True, validate=validate.OneOf(("held", "no_show_seller", "no_show_buyer", "no_show_both")))


class LoiV1(Schema):
    meeting_id = fields.Str(required=True)
    meet_id = fields.Str(required=True)
    seller_id = fields.Str(required=True)
    buyer_id = fields.Str(required=True)
    product = fields.Str(required=True)
    quantity = fields.Dict(required=True)
    value = fields.Dict(required=True, metadata={"description": "{amount, currency} as signed"})
    value_inr = fields.Str(required=True)
    signed_on = fields.Date(required=True)
    follow_up_due = fields.List(fields.Date(), required=True, metadata={"description": "30, 60 and 90 days after signing"})


class RequestV1(Schema):
    request_id = fields.Str(required=True)
    meet_id = fields.Str(required=True)
    from_id = fields.Str(required=True)
    to_id = fields.Str(required=True)
    message = fields.Str(load_default=None, allow_none=True)
    status = fields.Str(required=True, validate=validate.OneOf(("pending", "accepted", "declined")))
    by_organiser = fields.Bool(load_default=False)


class LoiFollowUpV1(Schema):
    meeting_id = fields.Str(required=True)
    meet_id = fields.Str(required=True)
    seller_id = fields.Str(required=True)
    buyer_id = fields.Str(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(("in_negotiation", "order_placed", "lapsed")))
    order_value_inr = fields.Str(load_default=None, allow_none=True)


class FollowUpDueV1(Schema):
    meeting_id = fields.Str(required=True)
    meet_id = fields.Str(required=True)
    seller_id = fields.Str(required=True)
    buyer_id = fields.Str(required=True)
    product = fields.Str(required=True)
    due = fields.Date(required=True)
    days_after_signing = fields.Int(required=True)
    status = fields.Str(required=True)


class TopMatchV1(Schema):
    counterpart_id = fields.Str(required=True)
    score = fields.Int(required=True)
    reasons = fields.List(fields.Str(), load_default=list)


class MatchScoresV1(Schema):
    meet_id = fields.Str(required=True)
    participant_id = fields.Str(required=True)
    top = fields.List(fields.Nested(TopMatchV1), required=True)


register(
    Contract(MATCH_SCORES_UPDATED, TOPIC, "A participant's best matches at a meet changed (they were approved, or a profile changed).", MatchScoresV1),
    Contract(FOLLOW_UP_DUE, TOPIC, "An LoI's 30, 60 or 90-day follow-up has come due (notifications reminds both sides).", FollowUpDueV1),
    Contract(LOI_FOLLOWED_UP, TOPIC, "Where a Letter of Intent stands: negotiating, an order placed, or lapsed.", LoiFollowUpV1),
    Contract(MEETING_REQUESTED, TOPIC, "A participant asked to meet someone (with a message).", RequestV1),
    Contract(MEETING_ACCEPTED, TOPIC, "A meeting request was accepted (or added by an organiser).", RequestV1),
    Contract(MEETING_DECLINED, TOPIC, "A meeting request was declined.", RequestV1),
    Contract(PARTICIPANT_INDEXED, TOPIC, "Matching knows a participant (or a newer version of one).", ParticipantIndexedV1),
    Contract(SCHEDULE_PUBLISHED, TOPIC, "An organiser published a meet's schedule.", ScheduleV1),
    Contract(MEETING_SCHEDULED, TOPIC, "A meeting is on the published schedule (one event per meeting).", MeetingV1),
    Contract(MEETING_CANCELLED, TOPIC, "A published meeting was cancelled, and why (its cancel_reason).", MeetingCancelledV1),
    Contract(MEETING_OUTCOME_RECORDED, TOPIC, "A meeting was held, or someone did not show.", OutcomeV1),
    Contract(LOI_SIGNED, TOPIC, "A Letter of Intent was signed after a meeting.", LoiV1),
)
