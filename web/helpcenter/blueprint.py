"""The Help Center's blueprint object, shared by its modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "helpcenter",
    __name__,
    url_prefix="/help",
    template_folder="templates",
    static_folder="static",
)
