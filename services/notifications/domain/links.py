"""Links to the web app's pages that messages point to: where a participant sees the whole
of what an SMS summarises. The web app's base URL is ``BSM_WEB_URL`` (as participants reach
it), else the local one from ``BSM_WEB_PORT``. Nothing here does I/O."""
from __future__ import annotations

from typing import Mapping
from urllib.parse import quote

DEFAULT_WEB_PORT = 8005


def web_url(environ: Mapping[str, str]) -> str:
    """The web app's base URL without a trailing slash, from ``BSM_WEB_URL`` or, locally,
    ``http://127.0.0.1:<BSM_WEB_PORT>`` (8005)."""
    given = environ.get("BSM_WEB_URL")
    return (given or f"http://127.0.0.1:{environ.get('BSM_WEB_PORT') or DEFAULT_WEB_PORT}").rstrip("/")


def agenda_url(base: str, meet_id: str) -> str:
    """The participant's agenda of a meet: every meeting, the next one first (``/meets/{meet}/agenda``)."""
    return f"{base}/meets/{quote(meet_id, safe='')}/agenda"


def suggestions_url(base: str, meet_id: str) -> str:
    """Who suits the participant at a meet, and why (``/meets/{meet}/suggestions``)."""
    return f"{base}/meets/{quote(meet_id, safe='')}/suggestions"


def times_url(base: str, meet_id: str) -> str:
    """Where a participant chooses again the times they can attend (``/meets/{meet}/apply``)."""
    return f"{base}/meets/{quote(meet_id, safe='')}/apply"
