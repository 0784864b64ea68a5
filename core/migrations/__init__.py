"""Alembic migrations (see ``core.adapters.db.upgrade``)."""
