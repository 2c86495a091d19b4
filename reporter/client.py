"""What the services are told about the client of each request, set in this one place so that
no service reads the request: the client's address, which the audit log records (behind
PROXY_COUNT proxies, ProxyFix has made it the real client's)."""

from __future__ import annotations

from flask import Flask, request

from reporter.services.accounts import audit


def remember_client() -> None:
    audit.client_address.set(request.remote_addr)


def forget_client(_exc: BaseException | None = None) -> None:
    audit.client_address.set(None)


def init_app(app: Flask) -> None:
    app.before_request(remember_client)  # first: anything after it may audit
    app.teardown_request(forget_client)
