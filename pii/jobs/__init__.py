"""Maintenance jobs' last runs (purge, seal), kept in the database for /metrics."""
