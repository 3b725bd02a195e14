"""What matching does for its HTTP API, consumers and workers, by capability: recommendations,
match suggestions and preferences, requests, schedules (draft, publication, repair),
meetings' outcomes and LoIs, the day itself, reports, and keeping a published schedule true
to its meet when the meet changes.

No Flask here; views call these and map ``NotFound``/``Refused``/``Invalid`` to problems.
"""
from services.matching.actions.context import Invalid, Matching, NotFound, Refused, ensure_meet_running, meet_of
from services.matching.actions.day import check_in, walk_in
from services.matching.actions.matches import recommendations, set_preference
from services.matching.actions.meet_changes import follow_availability, follow_meet
from services.matching.actions.outcomes import SIGNED, announce_follow_ups_due, follow_up, meeting, rate, record_outcome, sign_loi
from services.matching.actions.publishing import cancel_participant, publish_schedule
from services.matching.actions.reports import report, report_all
from services.matching.actions.requests import answer_request, request_meeting
from services.matching.actions.interpreters import follow_languages, interpreters, note_languages, remove_interpreter, set_interpreter
from services.matching.actions.schedules import draft_schedule, lock_meeting, stored_draft, unlock_meeting
from services.matching.actions.suggestions import suggest_due

__all__ = [
    "Matching", "NotFound", "Refused", "Invalid", "ensure_meet_running", "meet_of", "check_in", "walk_in", "recommendations", "set_preference",
    "follow_meet", "follow_availability", "announce_follow_ups_due", "follow_up",
    "meeting", "rate", "record_outcome", "sign_loi", "SIGNED", "cancel_participant", "publish_schedule", "report", "report_all", "answer_request",
    "request_meeting", "draft_schedule", "stored_draft", "lock_meeting", "unlock_meeting", "set_interpreter", "remove_interpreter", "interpreters", "note_languages", "follow_languages", "suggest_due",
]
