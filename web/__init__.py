"""The web app: server-rendered pages for sellers, buyers and organisers.

A client of the three services' public HTTP APIs only (``web.clients``): it never reads a
service's database nor imports a service's code. Participant pages live in
``web.participant``; organiser pages in ``web.organiser`` (registered when present).
"""
