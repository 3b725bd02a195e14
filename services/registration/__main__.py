"""Background processes of the registration service: ``python -m services.registration relay``."""
from shared.config import load_settings
from shared.entrypoints import dispatch, run_relay

from services.registration import SERVICE
from services.registration.store import OUTBOX_COLLECTIONS

if __name__ == "__main__":
    dispatch(SERVICE, {"relay": lambda: run_relay(load_settings(SERVICE), OUTBOX_COLLECTIONS)})
