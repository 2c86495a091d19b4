"""The form is sent without the templates' indentation, to stay within a phone's data budget,
and what a reporter typed comes back exactly as typed."""

from __future__ import annotations

import json
import re

from reporter.templating import squeeze_html


def test_indentation_and_blank_lines_go_but_a_textarea_keeps_every_space():
    html = '<div>\n    <p>a</p>\n\n\n  <textarea name="d">  one\n\n    two  </textarea>\n  <pre> x\n\n y</pre>\n</div>'
    assert squeeze_html(html) == (
        '<div>\n<p>a</p>\n<textarea name="d">  one\n\n    two  </textarea>\n<pre> x\n\n y</pre>\n</div>'
    )


def test_a_reshown_form_keeps_the_description_as_typed(client):
    typed = "Two boys\n\n    with a man,\n  near platform 2  "
    response = client.post("/report", data={"sector": "rail", "danger": "", "description": typed})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    [kept] = re.findall(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert kept.replace("\r\n", "\n") == typed
    assert not re.search(r"\n[ \t]+<", page.split("<textarea")[0])


def test_the_counter_sentences_are_utf8_not_escaped(client):
    page = client.get("/report?sector=rail&lang=bn").get_data(as_text=True)
    [counter] = re.findall(r"data-counter='([^']*)'", page)
    assert "\\u09" not in counter
    assert "অক্ষর" in json.loads(counter)["other"]["left"]
