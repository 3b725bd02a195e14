"""A context for every message kind, as the handlers record it (names as long as the
Srinagar meet's). Adding a kind means adding its templates, its catalogue entries
(``make messages``, then translate) and a sample here."""

SAMPLES = {
    "registration_received": {"name": "Ghulam Nabi Dar", "role": "seller"},
    "verification_code": {"name": "Ghulam Nabi Dar", "code": "482913"},
    "participation_approved": {"name": "Ghulam Nabi Dar", "meet_name": "Srinagar BSM 2030", "reason": ""},
    "participation_rejected": {"name": "Ghulam Nabi Dar", "meet_name": "Srinagar BSM 2030", "reason": "no GI certificate"},
    "participation_waitlisted": {"name": "Ghulam Nabi Dar", "meet_name": "Srinagar BSM 2030", "reason": ""},
    "times_to_choose": {"name": "Ghulam Nabi Dar", "meet_name": "Srinagar BSM 2030", "times_url": "https://bsm.example.in/meets/m1/apply"},
    "match_suggestions": {"name": "Ghulam Nabi Dar", "meet_name": "ODOP Buyer-Seller Meet, Srinagar", "matches": [{"name": "FabIndia", "score": 91, "reason": "sources Pashmina"}]},
    "meeting_requested": {"name": "Ghulam Nabi Dar", "from_name": "Reliance Retail", "message": "Saffron", "request_id": "r1"},
    "request_waiting": {"name": "Ghulam Nabi Dar", "from_name": "Reliance Retail", "message": "", "request_id": "r1"},
    "meeting_accepted": {"name": "Ghulam Nabi Dar", "other_name": "Reliance Retail"},
    "meeting_declined": {"name": "Ghulam Nabi Dar", "other_name": "Reliance Retail"},
    "meeting_added": {"name": "Ghulam Nabi Dar", "day": "2030-07-30", "start": "14:30", "table": 12, "with": "Reliance Retail", "meeting_id": "m1"},
    "meeting_cancelled": {"name": "Ghulam Nabi Dar", "day": "2030-07-30", "start": "14:30", "table": 12, "with": "Reliance Retail"},
    "meeting_changed": {"name": "Ghulam Nabi Dar", "day": "2030-07-30", "start": "14:40", "end": "15:00", "table": 3, "with": "Reliance Retail", "meeting_id": "m1"},
    "meeting_reminder": {"name": "Ghulam Nabi Dar", "minutes": 30, "start": "14:30", "table": 12, "with": "Reliance Retail", "meeting_id": "m1"},
    "schedule_published": {"name": "Ghulam Nabi Dar", "meet_name": "Srinagar BSM 2030", "ics": "BEGIN:VCALENDAR", "meetings": [
        {"meeting_id": "m1", "day": "2030-07-30", "start": "10:00", "end": "10:20", "table": 3, "with": "FabIndia", "interpreter": "int-7",
         "interpreter_name": "Rafiq Ahmad", "timezone": "Asia/Kolkata"},
        {"meeting_id": "m2", "day": "2030-07-30", "start": "11:00", "end": "11:20", "table": 4, "with": "Oma Living", "interpreter": None,
         "interpreter_name": None, "timezone": "Asia/Kolkata"}]},
    "thank_you": {"name": "Ghulam Nabi Dar", "meet_name": "Srinagar BSM 2030"},
    "follow_up_due": {"name": "Ghulam Nabi Dar", "days": 30, "product": "Pashmina shawls", "with": "FabIndia"},
    "organiser_digest": {"meet_name": "Srinagar BSM 2030", "day": "2030-07-01", "applications": {"sellers_approved": 42, "buyers_applied": 15},
                         "lois": 0, "loi_value": "Rs 0.00", "loi_value_inr": "0.00"},
    "organiser_results": {"meet_name": "Srinagar BSM 2030", "day": "2030-07-31", "applications": {"sellers_approved": 42, "buyers_approved": 15},
                          "lois": 30, "loi_value": "Rs 10.50 crore", "loi_value_inr": "105000000.00"},
}
