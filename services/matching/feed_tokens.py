"""Calendar feed tokens: the only credential a URL may carry (shared/auth.py).

Each participant has a feed generation (``feed_tokens``, one document by ``_id``); a feed
token names the generation it was issued for, and moving the generation on (a new token,
or revoking) cuts off every token issued before. Tokens themselves are not stored.
"""
from __future__ import annotations

from pymongo import ReturnDocument
from pymongo.database import Database

from shared.auth import Authenticator, Unauthenticated

FEED_TOKENS = "feed_tokens"


class FeedTokens:
    def __init__(self, db: Database, auth: Authenticator):
        self.collection, self.auth = db[FEED_TOKENS], auth

    def rotate(self, participant_id: str) -> str:
        """A new feed token for the participant; every earlier one stops working."""
        return self.auth.issue_feed(participant_id, self._advance(participant_id))

    def revoke(self, participant_id: str) -> None:
        """Every feed token of the participant stops working."""
        self._advance(participant_id)

    def holder(self, token: str) -> str:
        """The participant whose feed ``token`` opens; ``Unauthenticated`` if it is not a
        feed token or was revoked."""
        participant_id, generation = self.auth.read_feed(token)
        current = self.collection.find_one({"_id": participant_id}, {"generation": 1})
        if current is None or current.get("generation") != generation:
            raise Unauthenticated("This calendar feed token was revoked: ask for a new one.")
        return participant_id

    def _advance(self, participant_id: str) -> int:
        doc = self.collection.find_one_and_update({"_id": participant_id}, {"$inc": {"generation": 1}}, upsert=True,
                                                  return_document=ReturnDocument.AFTER)
        return doc["generation"]
