"""gunicorn's master renders the public pages once before it forks its workers
(reporter.warm_up, gunicorn.conf.py `when_ready`): a worker, new at start or after a restart,
then reads no template and no catalogue on a reporter's first request."""

from __future__ import annotations

from babel import support

from reporter import warm_up


def test_after_warming_up_a_first_form_reads_no_template_and_no_catalogue(make_app, monkeypatch):
    app = make_app()
    warm_up(app)
    read = []
    get_source = app.jinja_env.loader.get_source
    monkeypatch.setattr(
        app.jinja_env.loader,
        "get_source",
        lambda env, name: read.append(name) or get_source(env, name),
    )
    load = support.Translations.load.__func__

    def loading(cls, dirname=None, *args, **options):
        if "wtforms" not in str(dirname):  # WTForms reads its own on each form it builds
            read.append(dirname)
        return load(cls, dirname, *args, **options)

    monkeypatch.setattr(support.Translations, "load", classmethod(loading))
    client = app.test_client(use_cookies=False)
    for page in ("/report?lang=ar", "/report?sector=rail&lang=pl", "/report?sector=taxi"):
        assert client.get(page).status_code == 200
    assert read == []


def test_gunicorn_warms_up_in_the_master_before_it_forks():
    """preload_app loads the app in the master, and `when_ready` runs there before the first
    fork: what it renders, every worker has."""
    import runpy
    from pathlib import Path

    settings = runpy.run_path(str(Path(__file__).parent.parent / "gunicorn.conf.py"))
    assert settings["preload_app"] is True
    assert "warm_up" in settings["when_ready"].__code__.co_names
