"""The web app's environment for tests that replace the service calls they expect: every
service at an address nothing listens on, so a call a test did not replace fails the same
way (connection refused) whether or not ``make run`` is up on the machine, on the default
ports the web app would otherwise call."""
from web.config import SERVICES

NO_SERVICES = {f"BSM_{service.upper()}_URL": "http://127.0.0.1:1" for service in SERVICES}
