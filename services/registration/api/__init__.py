"""Registration's HTTP blueprints."""
