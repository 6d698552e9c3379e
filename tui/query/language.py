"""The search and filter query language, parsed once into a `Query` that `tui.query.search` runs.

A filter query is terms separated by spaces, all of which must hold; `!` in front negates one:

    svc:keystone status:>=400          calls to or from keystone that failed
    !dst:neutron* method:GET           GETs to anything but neutron
    header:"Content-Type=application/json" body:adminPass

Fields: `src:`, `dst:`, `svc:` (either side) and `method:` take a name or a glob; `status:`
takes `200`, `5xx`, `>=400` (also `>`, `<`, `<=`, `=`) or `none` (no response); `path:` and
`body:` take text; `header:` takes a name (glob) or `name=text`; `reqid:` takes text found in
an OpenStack request id the exchange carries (sent, or answered). Anything else is text searched
everywhere, as the `/` search does: method, path, status, services, header lines and bodies.

Text is a substring, case-insensitive unless it has a capital (smart case), or a regular
expression after `re:`. `"..."` quotes a value with spaces or a term that would otherwise read
as a field (`"host:"`); inside quotes `\\"` is a quote and `\\\\` a backslash.
"""

from __future__ import annotations

import fnmatch
import re
from typing import NamedTuple

FIELDS = ("src", "dst", "svc", "method", "status", "path", "header", "body", "reqid")
TEXT = "text"
REGEX_PREFIX = "re:"

_FIELD_PREFIX = re.compile(r"([a-z]+):")
_STATUS = re.compile(r"(?i)(none)|([1-9])xx|(>=|<=|>|<|=)?(\d{3})")
_GLOB_CHARS = frozenset("*?[")


class QueryError(ValueError):
    """A query that cannot be parsed; `position` is the 0-based offset in the query text."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class TextPattern(NamedTuple):
    """Text to look for: a literal or a regular expression, and whether case is ignored.

    `regex` is compiled for decoded text (a literal is escaped); `tui.query.search` derives from it
    the bytes pattern it runs over the mapped file.
    """

    text: str
    is_regex: bool
    ignore_case: bool
    regex: re.Pattern[str]

    def search(self, text: str) -> bool:
        """True when the pattern occurs in `text`."""
        return self.regex.search(text) is not None


class StatusTest(NamedTuple):
    """A test on an exchange's status: `op` is "none", "class" (value 4 for 4xx) or a
    comparison ("=", ">", ">=", "<", "<=")."""

    op: str
    value: int

    def accepts(self, status: int | None) -> bool:
        """True when a response status (None: no response) passes the test."""
        if self.op == "none":
            return status is None
        if status is None:
            return False
        if self.op == "class":
            return status // 100 == self.value
        if self.op == ">=":
            return status >= self.value
        if self.op == ">":
            return status > self.value
        if self.op == "<=":
            return status <= self.value
        if self.op == "<":
            return status < self.value
        return status == self.value


class Term(NamedTuple):
    """One term of a query. Which of the optional parts is set depends on `field`:

    text, body, path, reqid: `pattern` (path: `glob` instead when the value has `*`, `?` or `[`);
    src, dst, svc, method: `glob`; status: `status`; header: `name` as typed and its `glob`,
    and an optional `pattern` for the value.
    """

    field: str
    negated: bool
    source: str
    pattern: TextPattern | None = None
    glob: re.Pattern[str] | None = None
    status: StatusTest | None = None
    name: str = ""


class Query(NamedTuple):
    """A parsed query: all `terms` must hold. No terms (empty text) matches everything."""

    text: str
    terms: tuple[Term, ...]

    @property
    def is_empty(self) -> bool:
        """True for a query with no terms."""
        return not self.terms

    @property
    def highlight_patterns(self) -> tuple[TextPattern, ...]:
        """The text patterns worth highlighting in displayed text: those of positive terms."""
        return tuple(
            term.pattern for term in self.terms if term.pattern is not None and not term.negated
        )


class _Token(NamedTuple):
    """A word of the query as typed (`source`) and with quotes removed (`value`, without the
    `!`); `positions[i]` is where `value[i]` was typed and `quoted_from` is the index of the
    first character that came from inside quotes."""

    start: int
    end: int
    source: str
    negated: bool
    value: str
    positions: tuple[int, ...]
    quoted_from: int


def has_capitals(text: str, is_regex: bool) -> bool:
    """Smart case: True when `text` has an upper-case letter (in a regex, not in `\\S`, `\\W`
    and other escapes)."""
    if not is_regex:
        return any(char.isupper() for char in text)
    index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index].isupper():
            return True
        index += 1
    return False


def text_pattern(
    text: str, is_regex: bool = False, ignore_case: bool | None = None, position: int = 0
) -> TextPattern:
    """Compile text to search for; `ignore_case=None` applies smart case.

    A regex runs in MULTILINE mode so `^` and `$` anchor lines of a body. Raises `QueryError`
    for an invalid regex, pointing at `position` plus the error's offset.
    """
    if ignore_case is None:
        ignore_case = not has_capitals(text, is_regex)
    flags = re.IGNORECASE if ignore_case else 0
    if not is_regex:
        return TextPattern(text, False, ignore_case, re.compile(re.escape(text), flags))
    try:
        return TextPattern(text, True, ignore_case, re.compile(text, flags | re.MULTILINE))
    except re.error as error:
        offset = error.pos if error.pos is not None else 0
        raise QueryError(f"invalid regex: {error.msg}", position + offset) from None


def _glob(value: str) -> re.Pattern[str]:
    """A case-insensitive whole-string glob (`*`, `?`, `[...]`); plain text matches exactly."""
    return re.compile(fnmatch.translate(value), re.IGNORECASE)


def _read_quoted(text: str, open_at: int, chars: list[str], positions: list[int]) -> int:
    """Append the content of the quoted string opening at `open_at`; return the offset after
    its closing quote."""
    index = open_at + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and text[index + 1 : index + 2] in ('"', "\\"):
            chars.append(text[index + 1])
            positions.append(index + 1)
            index += 2
            continue
        if char == '"':
            return index + 1
        chars.append(char)
        positions.append(index)
        index += 1
    raise QueryError("unterminated quote", open_at)


def _tokens(text: str) -> list[_Token]:
    """Split a query into words at unquoted spaces; a word may mix quoted and plain parts."""
    tokens = []
    index = 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        start = index
        negated = text[index] == "!"
        if negated:
            index += 1
            if index == len(text) or text[index].isspace():
                raise QueryError("`!` must be followed by a term", start)
            if text[index] == "!":
                raise QueryError("`!!`: negate a term once", start)
        chars: list[str] = []
        positions: list[int] = []
        quoted_from = -1
        while index < len(text) and not text[index].isspace():
            if text[index] == '"':
                if quoted_from < 0:
                    quoted_from = len(chars)
                index = _read_quoted(text, index, chars, positions)
            else:
                chars.append(text[index])
                positions.append(index)
                index += 1
        value = "".join(chars)
        if not value:
            raise QueryError("empty quotes: nothing to search for", start + negated)
        quoted = quoted_from if quoted_from >= 0 else len(value)
        source = text[start:index]
        tokens.append(_Token(start, index, source, negated, value, tuple(positions), quoted))
    return tokens


def _is_regex(token: _Token, offset: int) -> bool:
    """True when `token.value[offset:]` starts with an unquoted `re:`."""
    unquoted = token.quoted_from - offset
    return token.value.startswith(REGEX_PREFIX, offset) and unquoted >= len(REGEX_PREFIX)


def _value_pattern(token: _Token, offset: int, what: str) -> TextPattern:
    """The text pattern of `token.value[offset:]`: a regex after an unquoted `re:`."""
    value = token.value[offset:]
    if _is_regex(token, offset):
        pattern = value[len(REGEX_PREFIX) :]
        if not pattern:
            raise QueryError(f"{what}re: needs a regular expression", token.end)
        start = offset + len(REGEX_PREFIX)
        try:
            return text_pattern(pattern, is_regex=True)
        except QueryError as error:
            inside = start + error.position
            place = token.positions[inside] if inside < len(token.value) else token.end
            raise QueryError(error.message, place) from None
    return text_pattern(value)


def _status_test(value: str, position: int) -> StatusTest:
    match = _STATUS.fullmatch(value)
    if match is None:
        raise QueryError(f'bad status "{value}": use 200, 5xx, >=400, <300 or none', position)
    none, klass, op, number = match.groups()
    if none:
        return StatusTest("none", 0)
    if klass:
        return StatusTest("class", int(klass))
    return StatusTest(op or "=", int(number))


def _field_term(token: _Token, field: str, offset: int) -> Term:
    value = token.value[offset:]
    source = token.source
    at = token.positions[offset] if value else token.end
    if not value:
        raise QueryError(f"{field}: needs a value", token.start + token.negated)
    if field == "status":
        return Term(field, token.negated, source, status=_status_test(value, at))
    if field in ("src", "dst", "svc", "method"):
        return Term(field, token.negated, source, glob=_glob(value))
    if field == "path" and _GLOB_CHARS.intersection(value) and not _is_regex(token, offset):
        return Term(field, token.negated, source, glob=_glob(value))
    if field in ("path", "body", "reqid"):
        return Term(
            field, token.negated, source, pattern=_value_pattern(token, offset, field + ":")
        )
    name, equals, _ = value.partition("=")
    if not name:
        raise QueryError("header: needs a name before `=`", at)
    pattern = None
    if equals:
        value_offset = offset + len(name) + 1
        if value_offset == len(token.value):
            raise QueryError(f"header:{name}= needs a value after `=`", token.end)
        pattern = _value_pattern(token, value_offset, f"header:{name}=")
    return Term(field, token.negated, source, pattern=pattern, glob=_glob(name), name=name)


def _term(token: _Token) -> Term:
    prefix = _FIELD_PREFIX.match(token.value)
    if prefix and prefix.end() <= token.quoted_from:
        name = prefix.group(1)
        if name in FIELDS:
            return _field_term(token, name, prefix.end())
        rest = token.value[prefix.end() :]
        if name + ":" != REGEX_PREFIX and not rest.startswith("//"):
            raise QueryError(
                f'unknown field "{name}:" (fields: {", ".join(FIELDS)}; '
                f'quote it to search for the text: "{name}:...")',
                token.start + token.negated,
            )
    return Term(TEXT, token.negated, token.source, pattern=_value_pattern(token, 0, ""))


def parse_query(text: str) -> Query:
    """Parse a filter query (fields, `!`, quotes, bare words). Raises `QueryError`."""
    return Query(text, tuple(_term(token) for token in _tokens(text)))


def parse_search(text: str) -> Query:
    """Parse what was typed in the `/` search bar: all of it is one text, a regex after `re:`.

    Empty text gives an empty query. Raises `QueryError` for an invalid regex.
    """
    if not text:
        return Query(text, ())
    if text.startswith(REGEX_PREFIX):
        if len(text) == len(REGEX_PREFIX):
            raise QueryError("re: needs a regular expression", len(text))
        try:
            pattern = text_pattern(text[len(REGEX_PREFIX) :], is_regex=True)
        except QueryError as error:
            raise QueryError(error.message, error.position + len(REGEX_PREFIX)) from None
    else:
        pattern = text_pattern(text)
    return Query(text, (Term(TEXT, False, text, pattern=pattern),))


def literal_query(value: str) -> Query:
    """A query for exactly `value`, case-sensitive (following a token or UUID)."""
    return Query(value, (Term(TEXT, False, value, pattern=text_pattern(value, ignore_case=False)),))
