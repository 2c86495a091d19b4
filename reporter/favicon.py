"""`/favicon.ico`: browsers ask every site for it, whatever the page declares. A 209-byte icon
(the brand's blue, a magnifying glass) answers instead of a 404 in every log and console."""

from flask import Flask, current_app

ONE_WEEK = 7 * 24 * 3600


def init_app(app: Flask) -> None:
    @app.get("/favicon.ico", endpoint="favicon")
    def favicon():
        return (
            current_app.send_static_file("favicon.ico"),
            200,
            {"Cache-Control": f"public, max-age={ONE_WEEK}"},
        )
