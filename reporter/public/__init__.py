from flask import Blueprint

bp = Blueprint("public", __name__)

from reporter.public import entry, info, routes  # noqa: E402,F401
