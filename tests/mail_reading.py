"""Reading a message's bytes as mail clients do, for tests of what the email channel sends."""
from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.header import decode_header, make_header


def legacy_subject(data: bytes) -> str:
    """The Subject of the message ``data`` as the ``email`` package's legacy API reads it
    (as older mail clients do): unfolded (RFC 5322 section 2.2.3), then its encoded words
    decoded (RFC 2047)."""
    raw = message_from_bytes(data, policy=policy.compat32)["Subject"]
    return str(make_header(decode_header(re.sub(r"\r?\n(?=[ \t])", "", raw))))
