"""Operators' tooling: the ``bsm`` command and the AsyncAPI document of every message flow."""
