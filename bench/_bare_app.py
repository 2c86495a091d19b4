"""The baseline of `bench.production`: what Flask itself does, on the same server and database.

`GET /page` answers a page of BARE_PAGE_BYTES bytes (the size of the real form page, measured by
the bench first); `POST /rows` parses the same JSON body the API gets and inserts one row through
SQLAlchemy's ORM into a table of its own in the same PostgreSQL database. No templates, no
sessions, no validation: the floor the real app is compared with. Served by gunicorn with the
project's gunicorn.conf.py: `gunicorn -c gunicorn.conf.py bench._bare_app:app`.
Private (underscore): `make bench` does not run it on its own; bench.production starts it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, request
from sqlalchemy import DateTime, Integer, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

PAGE = ("x" * int(os.environ.get("BARE_PAGE_BYTES", "12000"))).encode()
ENGINE = create_engine(os.environ["BARE_DATABASE_URL"])


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "bench_bare_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sector: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime)


def create_table() -> None:
    Base.metadata.create_all(ENGINE)


app = Flask(__name__)


@app.get("/page")
def page():
    return PAGE, 200, {"Content-Type": "text/html; charset=utf-8"}


@app.post("/rows")
def rows():
    body = request.get_json()
    with Session(ENGINE) as session:
        row = Row(
            sector=body["sector"], description=body.get("description"), created_at=datetime.now(UTC)
        )
        session.add(row)
        session.flush()
        row_id = row.id
        session.commit()
    return {"id": row_id}, 201
