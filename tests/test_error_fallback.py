"""The last-resort page, shown when an error page itself cannot render, still names the numbers
to call, in the reporter's language."""

from __future__ import annotations

import pytest

from reporter import errors


def _broken_template(*args, **kwargs):
    raise RuntimeError("template broken")


@pytest.mark.parametrize(
    ("lang", "danger_line", "direction"),
    [
        ("en", "If a child is in immediate danger, call 999", "ltr"),
        ("cy", "Os oes plentyn mewn perygl", "ltr"),
        ("ar", "إذا كان طفل في خطر", "rtl"),
    ],
)
def test_the_last_resort_page_is_in_the_reporters_language(
    client, monkeypatch, lang, danger_line, direction
):
    monkeypatch.setattr(errors, "render_template", _broken_template)
    response = client.get(f"/no-such-page?lang={lang}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert danger_line in page
    assert 'href="tel:999"' in page
    assert 'href="tel:101"' in page
    if lang != "en":
        assert "Sorry, something went wrong" not in page


def test_the_last_resort_page_falls_back_to_english_when_translation_fails(client, monkeypatch):
    monkeypatch.setattr(errors, "render_template", _broken_template)
    monkeypatch.setattr(errors, "text_direction", _broken_template)
    page = client.get("/no-such-page?lang=pl").get_data(as_text=True)
    assert page == errors.FALLBACK_PAGE
