"""WSGI entry point: `flask --app wsgi ...` and production servers use `wsgi:app`."""

from reporter import create_app

app = create_app()
