"""The hook's `none` / blank body rule: one home, read from text and from raw bytes alike."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.text.bodies import EMPTY_BODY_WORD, is_empty_body, is_empty_body_span


def test_blank_and_none_bodies_are_empty():
    for text in ("", "  \n", "none", "\n  none \n", EMPTY_BODY_WORD):
        assert is_empty_body(text)
    for text in ("None", "none none", "nones", "{}", "b'none'"):
        assert not is_empty_body(text)


# ASCII without the \x1c-\x1f separators: the only bytes the search reads in place.
_ASCII = st.text(st.sampled_from(list(" \t\n\r\x0b\x0cnoeNx{}")), max_size=12)


@given(_ASCII, _ASCII, _ASCII)
def test_the_bytes_reading_agrees_with_the_text_reading(before, body, after):
    chunk = (before + body + after).encode()
    start, end = len(before), len(before) + len(body)
    assert is_empty_body_span(chunk, start, end) == is_empty_body(body)
