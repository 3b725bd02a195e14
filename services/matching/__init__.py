"""Matching: scores buyer-seller pairs, takes meeting requests, builds the schedule, records outcomes."""
SERVICE = "matching"
