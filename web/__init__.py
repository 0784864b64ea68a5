"""The one Flask app factory: it mounts the IVR, the Help Center page, the staff console and the
alert webhook as they land. Production: ``gunicorn 'web:create_app()'``."""

from web.app import create_app

__all__ = ["create_app"]
