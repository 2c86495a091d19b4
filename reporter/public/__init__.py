from flask import Blueprint

bp = Blueprint("public", __name__)

from reporter.public import entry, follow_up, routes  # noqa: E402,F401
