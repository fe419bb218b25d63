"""Redaction masks the key in every escaped form a message may carry it in (issue 10, item 1)."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest

from wan_r2v._core._redact import printable, redact

KEY = "sk-a/b+c=d 'e\"f\\g"


@pytest.mark.parametrize(
    "form",
    [
        KEY,
        repr(KEY)[1:-1],
        repr(KEY.encode())[2:-1],
        json.dumps(KEY)[1:-1],
        quote(KEY, safe=""),
        quote_plus(KEY, safe=""),
    ],
    ids=["raw", "repr", "bytes-repr", "json", "url", "url-plus"],
)
def test_every_escaped_form_is_masked(form: str) -> None:
    text = f"Illegal header value b'Bearer {form}' and more"
    assert redact(text, KEY) == "Illegal header value b'Bearer ***' and more"


def test_a_key_with_a_newline_is_masked_in_httpcores_message() -> None:
    key = "sk-abc123\n"
    message = f"Illegal header value {('Bearer ' + key).encode()!r}"
    assert "abc123" not in redact(message, key)


def test_printable_escapes_what_could_rewrite_a_terminal() -> None:
    assert printable("ok\x1b[2J\x07\u202e\u200b") == "ok\\x1b[2J\\x07\\u202e\\u200b"
    assert printable("plain text") == "plain text"
