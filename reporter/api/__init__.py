from flask import Blueprint

bp = Blueprint("api", __name__)

from reporter.api import follow_up, routes  # noqa: E402,F401
