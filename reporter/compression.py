"""Compressed responses: pages, styles, scripts and the manifest are sent with brotli or gzip,
whichever the client takes (COMPRESS_* in config.py). Most reporters are on a phone with a weak
signal, where every kilobyte is a wait."""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

compress = Compress()


def init_app(app: Flask) -> None:
    compress.init_app(app)
