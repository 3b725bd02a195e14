"""``make run``'s own settings: a completed meet's results and the daily digests reach a
local organiser address (the SMTP sink keeps them) unless the environment names others."""
from deploy.local.run import LOCAL_DEFAULTS, local_config
from shared.config import load_settings


def test_make_run_names_an_organiser_unless_told_otherwise():
    env = local_config({"BSM_DIGEST_POLL_SECONDS": ""})
    assert env["BSM_ORGANISER_EMAILS"] == LOCAL_DEFAULTS["BSM_ORGANISER_EMAILS"] and "@" in env["BSM_ORGANISER_EMAILS"]
    assert float(env["BSM_DIGEST_POLL_SECONDS"]) <= 60
    assert load_settings("notifications", env).extra["BSM_ORGANISER_EMAILS"] == env["BSM_ORGANISER_EMAILS"]
    assert local_config({"BSM_ORGANISER_EMAILS": "desk@odop.example"})["BSM_ORGANISER_EMAILS"] == "desk@odop.example"
