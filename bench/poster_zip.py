"""A partner with many sites asks for its zip of posters (PDFs since issue 21).

1. The cost of a site, in this process: its two sheets as HTML pages and its PNG (what the zip
   held before: a site was 12 to 18 ms) against `PosterZip.add` (a poster and a card drawn as
   PDF by WeasyPrint, and the PNG), taken in turn; and each PDF alone, in a Latin and an Urdu
   (Nastaliq) partner's language. With it, what 5,000 sites (the import maximum) cost the worker.
2. Served as production serves it: gunicorn (gunicorn.conf.py, two sync workers), PostgreSQL,
   Redis, and the outbox worker (`flask outbox work`) that makes the zip. Two admins click at
   once, then reports are sent while the zip is being made; their answer times are printed
   against reports sent before the clicks, in the same run. Before the worker made zips, the
   two clicks held both web workers for the whole build. SERVED_SITES sites: the worker's
   minutes for 5,000 sites of PDFs would add nothing to what this part shows.

Needs BENCH_POSTGRES_URL (a database `<name>_posters` is made afresh beside it) and
BENCH_REDIS_URL; without them part 2 says NOT MEASURED. tests/test_poster_zip_served.py runs
part 2 with fewer sites and checks the answers.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench import _servers
from bench._timing import measure, measure_alternately, row
from bench._visitor import Visitor

SITES = 5000  # the import maximum: what part 1 works out
SERVED_SITES = 500
REPORTS = 20
ANSWERS = {"sector": "delivery", "danger": "no", "signs": ["controlled"],
           "postcode": "LE1 6RN", "consent": "anonymous"}  # fmt: skip
PASSWORD = "a long bench password"
PARTNER = "Bench Couriers"


# --- 1. a site's cost ----------------------------------------------------------------------


def _html_site(site) -> None:
    """What the zip held per site before the PDFs: its two sheets as pages, and its PNG."""
    from reporter.services.partnerships import posters
    from reporter.triage import poster_pages

    qr = posters.qr_code(site)
    sheet = posters.sheet_values(site, qr)
    for kind in posters.SIZES:
        poster_pages.render_sheet(sheet, kind, for_pdf=True)
    posters.qr_png(site, qr=qr)


def per_site() -> None:
    from reporter import create_app
    from reporter.models import Partner, Site
    from reporter.services.partnerships import posters
    from reporter.triage import poster_pages

    app = create_app("testing", {"REPORTER_BASE_URL": "https://reporter.example.org"})
    made = iter(range(10**6))

    def a_site(language: str = "pl") -> Site:  # each its own code, as in a partner's zip
        n = next(made)
        partner = Partner(id=1, name=PARTNER, sector="delivery", language=language)
        return Site(id=n, partner=partner, label=f"Depot {n}", code=f"K3MQ{n:03}"[-7:])

    archive, added = poster_pages.PosterZip(), []

    def add() -> None:
        archive.add(a_site())
        added.append(1)

    with app.test_request_context("/"):
        old, new = measure_alternately(lambda: _html_site(a_site()), add, repeat=20, warmup=3)
        print(row("a site as HTML pages and PNG (before)", old))
        print(row("a site as PDFs and PNG (PosterZip.add)", new, old))
        for language in ("pl", "ur"):
            sheet = posters.sheet_values(a_site(language))
            for kind in posters.SIZES:
                draw = partial(poster_pages.sheet_pdf, sheet, kind)
                figures = measure(draw, repeat=10, warmup=2)
                size = len(poster_pages.sheet_pdf(sheet, kind)) / 1000
                print(row(f"one {kind} PDF, {language} and English ({size:.0f} kB)", figures))
    size = len(archive.finish()) / 1000 / len(added)  # kB a site
    print(
        f"  {SITES} sites, the worker: about {new['median'] * SITES / 60000:.0f} min of CPU, "
        f"a zip of about {size * SITES / 1000:.0f} MB"
    )


# --- 2. served -----------------------------------------------------------------------------


@dataclass
class Served:
    sites: int
    before: list[float]  # seconds to answer a report, before the clicks
    clicks: list[float]  # seconds to answer each admin's click
    meanwhile: list[float]  # seconds to answer a report while the zip was being made
    still_making: bool  # the zip was not ready yet when the last of those was answered
    ready_after: float  # seconds from the clicks until the page offered the zip
    zip_bytes: int
    download: float


def _flask(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [_servers.BIN / "flask", "--app", "wsgi", *args], cwd=_servers.ROOT, env=env,
        input=stdin, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


def _setup(env: dict, sites: int) -> int:
    """Two admins and a partner with `sites` sites, made as an operator would; its id."""
    for n in (1, 2):
        _flask(env, "users", "create", f"admin{n}@bench.example", "--role", "admin",
               "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    _flask(env, "partners", "create", PARTNER, "--sector", "delivery", "--language", "pl")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as rows:
        rows.write("label,station,postcode\n")
        rows.writelines(f"Depot {n:04},,LE1 6RN\n" for n in range(sites))
    try:
        _flask(env, "partners", "import", PARTNER, rows.name)
    finally:
        Path(rows.name).unlink()
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as connection:
        found = connection.execute("SELECT id FROM partners WHERE name = %s", (PARTNER,)).fetchone()
    return found[0]


@contextmanager
def _outbox_worker(env: dict):
    process = subprocess.Popen(
        [_servers.BIN / "flask", "--app", "wsgi", "outbox", "work"], cwd=_servers.ROOT,
        env={**env, "OUTBOX_POLL_SECONDS": "0.2"}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _signed_in(base: str, email: str, address: str) -> Visitor:
    admin = Visitor(address)
    form = admin.get(base, "/triage/login")
    fields = {"email": email, "password": PASSWORD, "csrf_token": form.token}
    signed = admin.post_form(base, "/triage/login", fields)
    assert signed.status == 303, signed.body[:300]
    return admin


def _report(base: str, phone: Visitor) -> float:
    phone.get(base, "/report?sector=delivery")  # the form, as a phone opens it first
    start = time.perf_counter()
    key = f"bench-{time.perf_counter_ns()}"  # as the phone's script makes it: one per report
    sent = phone.post_form(base, "/report", {**ANSWERS, "idempotency_key": key})
    took = time.perf_counter() - start
    assert sent.status == 303, sent.body[:300]
    return took


def served(database_url: str, redis_url: str, sites: int, reports: int) -> Served:
    """Part 2 against a fresh database (`database_url` is dropped and made again)."""
    # The admins here sign in with a password alone: the subject is the zip, and the second
    # factor production asks of admins has tests of its own (tests/triage/test_enrolment.py,
    # tests/browser/test_browser_staff_safeguards.py).
    env = _servers.production_env(database_url, redis_url=redis_url, STAFF_SECOND_FACTOR_ROLES="")
    _servers.migrate(env)
    partner_id = _setup(env, sites)
    page = f"/triage/partners/{partner_id}/posters"
    with _servers.gunicorn("wsgi:app", env, workers=2) as server, _outbox_worker(env):
        base = server.url
        phone = Visitor("198.51.100.7")
        before = [_report(base, phone) for _ in range(reports)]
        admins = [_signed_in(base, f"admin{n}@bench.example", f"198.51.100.{n}") for n in (1, 2)]
        tokens = [admin.get(base, page).token for admin in admins]
        clicked = time.perf_counter()
        clicks = []
        for admin, token in zip(admins, tokens, strict=True):
            start = time.perf_counter()
            answer = admin.post_form(base, page, {"csrf_token": token})
            clicks.append(time.perf_counter() - start)
            assert answer.status == 303, answer.body[:300]
        meanwhile = [_report(base, phone) for _ in range(reports)]
        still_making = "Download the zip" not in admins[0].get(base, page).body
        while "Download the zip" not in (shown := admins[0].get(base, page).body):
            assert "could not be made" not in shown, shown
            time.sleep(0.2)
        ready_after = time.perf_counter() - clicked
        link = re.search(r'href="([^"]+\.zip)"', shown).group(1)
        start = time.perf_counter()
        archive = admins[1].get(base, link)
        download = time.perf_counter() - start
        assert archive.status == 200
    return Served(sites, before, clicks, meanwhile, still_making, ready_after,
                  int(archive.headers["Content-Length"]), download)  # fmt: skip


def _median(samples: list[float]) -> float:
    return sorted(samples)[len(samples) // 2]


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"median {ordered[len(ordered) // 2] * 1000:7.1f} ms   max {ordered[-1] * 1000:7.1f} ms"


def run() -> None:
    per_site()
    try:
        database = _servers.fresh_database(f"{_servers.POSTGRES_URL}_posters")
        redis_url = _servers.fresh_redis()
    except _servers.NotMeasured as missing:
        _servers.loud(f"the zip served by gunicorn: {missing}")
        return
    result = served(database, redis_url, SERVED_SITES, REPORTS)
    print(f"  served: gunicorn, 2 sync workers, PostgreSQL, Redis; {result.sites} sites")
    print(f"  a report, before the clicks (baseline)   {_ms(result.before)}")
    print(f"  each admin's click on 'Make the zip'     {_ms(result.clicks)}")
    ratio = _median(result.meanwhile) / _median(result.before)
    print(f"  a report while the zip is made           {_ms(result.meanwhile)}   x{ratio:.1f}")
    print(f"  the zip still being made after them: {result.still_making}")
    size = result.zip_bytes / 1e6
    print(f"  zip ready {result.ready_after:.1f} s after the clicks; {size:.1f} MB, "
          f"downloaded in {result.download * 1000:.0f} ms")  # fmt: skip
