"""Find the secrets in trace text and replace each with a stable label: `<token-1>`.

Traces carry live credentials: Keystone tokens in headers, passwords and EC2 keys in JSON
bodies, temp-URL signatures in query strings. A `Redactor` gives each distinct secret value one
label for the whole run, so the token Keystone issues in `X-Subject-Token` keeps the same label
in every `X-Auth-Token` that later carries it: the flow can still be followed without the value.

Where the text parses as JSON, the parsed data is masked and serialized again, never the raw
text: a regex over JSON text breaks escapes and misses the first of two duplicate keys. Text
that does not parse (truncated, binary, nested past `MAX_DEPTH`) is masked by a scanner for
`key: value` / `key=value` pairs, Fernet tokens, JWTs and every secret value seen so far. Every
scan reads each character a bounded number of times, so a hostile 5 MB line cannot turn into a
quadratic search, and nothing raises.

Plain Python, no Textual.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tui.model.trace import Record, Trace

TOKEN = "token"
PASSWORD = "password"
KEY = "key"
SECRET = "secret"
COOKIE = "cookie"
CREDENTIAL = "credential"
KINDS = (TOKEN, PASSWORD, KEY, SECRET, COOKIE, CREDENTIAL)

# JSON nested deeper than this is masked as text: the parse and the walk stay far from the
# interpreter's recursion limit, whatever the caller's stack depth.
MAX_DEPTH = 200
# A secret seen in a structured place is also hidden wherever it recurs in free text; shorter
# values would turn common words into labels, longer ones cost a scan of every text for nothing.
MIN_KNOWN_LENGTH = 4
MAX_KNOWN_LENGTH = 4096
# What `Redactor.data()` puts in place of a container nested past MAX_DEPTH.
TOO_DEEP = "<too-deep>"

# oslo.utils strutils._SANITIZE_KEYS (lower case, matched as substrings of a lower-cased key),
# then names newer oslo releases add (cephxkey .. sshkey) and the issue's own additions.
SANITIZE_KEYS = (
    "adminpass",
    "admin_pass",
    "password",
    "admin_password",
    "auth_token",
    "new_pass",
    "auth_password",
    "secret_uuid",
    "secret",
    "sys_pswd",
    "token",
    "configdrive",
    "chappassword",
    "encrypted_key",
    "private_key",
    "fernetkey",
    "sslkey",
    "passphrase",
    "cephclusterfsid",
    "octaviaheartbeatkey",
    "rabbitcookie",
    "cephmanilaclientkey",
    "pacemakerremoteauthkey",
    "designaterndckey",
    "cephadminkey",
    "heatauthencryptionkey",
    "cephclientkey",
    "keystonecredential",
    "barbicansimplecryptokek",
    "cephrgwkey",
    "swifthashsuffix",
    "migrationsshkey",
    "cephmdskey",
    "cephmonkey",
    "cephxkey",
    "keydata",
    "kerberoskeytab",
    "keystonetoken",
    "sshkey",
    "passcode",
    "temp_url_key",
    "temp_url_sig",
)
# EC2 credentials hold their key pair in `access` and `secret`; `access` alone is too common a
# substring (`access_rules`, `accessIPv4`) to match anything but the exact key.
EXACT_KEYS = {"access": KEY}

SECRET_HEADERS = {
    "x-auth-token": TOKEN,
    "x-subject-token": TOKEN,
    "x-service-token": TOKEN,
    "x-storage-token": TOKEN,
    "openstack-auth-receipt": TOKEN,
    "authorization": CREDENTIAL,
    "proxy-authorization": CREDENTIAL,
    "cookie": COOKIE,
    "set-cookie": COOKIE,
    "x-auth-key": KEY,
    "x-storage-pass": PASSWORD,
    "x-account-meta-temp-url-key": KEY,
    "x-account-meta-temp-url-key-2": KEY,
    "x-container-meta-temp-url-key": KEY,
    "x-container-meta-temp-url-key-2": KEY,
}
_AUTHORIZATION = ("authorization", "proxy-authorization")
_COOKIES = ("cookie", "set-cookie")
_COOKIE_ATTRIBUTES = {"path", "domain", "expires", "max-age", "samesite", "version", "comment"}
_COOKIE_FLAGS = {"secure", "httponly", "partitioned"}

_LABEL_BODY = r"<(?:" + "|".join(KINDS) + r")-\d+>"
LABEL = re.compile(_LABEL_BODY)
FERNET = re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}")
# The lookbehind (placed after the literal so the regex engine can skip ahead to `eyJ`) lets
# only the start of a base64url run begin an attempt, which keeps `eyJeyJeyJ...` linear.
JWT = re.compile(r"eyJ(?<![A-Za-z0-9_-]eyJ)[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")

# Every secret key or header name contains one of these (lower case); a pair is looked at
# only where one occurs, so text without them costs a few substring searches.
_MARKERS = (
    "pass", "pswd", "token", "secret", "key", "kek", "cookie", "configdrive", "fsid",
    "hashsuffix", "access", "authorization", "temp",
)  # fmt: skip
_MARKER = re.compile("|".join(_MARKERS))
_MARKER_ANY_CASE = re.compile("|".join(_MARKERS), re.IGNORECASE)
# A name is a run of these around a marker; the separator after it may close a quote
# (`"name": `, `name=`, `\"name\": `).
_NAME_CHARS = re.compile(r"[\w.-]*")
_SEPARATOR = re.compile(r"(?:\\?[\"'])?[ \t]*(?P<sep>[:=])[ \t]*")
MAX_NAME_LENGTH = 64
_DOUBLE_QUOTED = re.compile(r'(?:[^"\\\n]|\\.)*')
_BARE_VALUE = re.compile(r"[^\s,;&}\]\"'\\]+")
_NOT_SECRET_WORDS = {"null", "true", "false", "none"}

# Pieces of text that are secret whatever surrounds them, each with the substrings it needs.
# Each runs as its own pass, only on text holding its substrings: one alternation of them all
# loses the engine's literal-prefix search and is ten times slower on a large text. None of
# them can match inside a label, so the passes cannot rewrite each other's output.
_STATIC_PARTS = (
    # Only the password of `scheme://user:password@host` is masked.
    (
        ("://", "@"),
        re.compile(
            r"(?P<userinfo>(?<=[A-Za-z0-9+.-])://[^\s/@:?#]{0,256}:)(?P<userpass>[^\s/@?#]{1,256})@"
        ),
    ),
    # Keystone v2 validates `/v2.0/tokens/{token}`; EC2 credentials live at `.../OS-EC2/{access}`.
    (
        ("tokens/",),
        re.compile(
            r"(?P<tokenpath>/(?:access_)?tokens/)(?P<tokenseg>(?![Oo][Ss]-)[^\s/?#\"'&;,]+)"
        ),
    ),
    (("/OS-EC2/",), re.compile(r"(?P<ec2path>/OS-EC2/)(?P<ec2seg>[^\s/?#\"'&;,]+)")),
    (("gAAAAA",), re.compile(rf"(?P<fernet>{FERNET.pattern})")),
    (("eyJ",), re.compile(rf"(?P<jwt>{JWT.pattern})")),
)
_SURROGATE = re.compile("[\ud800-\udfff]")


class _TooDeep(Exception):
    """JSON nested past MAX_DEPTH."""


class _Object(list):
    """A JSON object as its (key, value) pairs: order kept, duplicate keys kept."""


class _Number(str):
    """A JSON number (or NaN/Infinity) as its literal text, so it round-trips exactly."""


def _normalize(name: str) -> str:
    return name.strip().lower().replace("-", "_")


@lru_cache(maxsize=4096)
def key_kind(key: str) -> str | None:
    """The kind of secret a JSON key (or query parameter) holds, or None when it is not secret.

    A key is secret when it contains one of `SANITIZE_KEYS` (case-insensitive, `-` read as
    `_`), or is exactly `access`. Timestamps about a secret (`password_expires_at`) are not.
    """
    name = _normalize(key)
    if name in EXACT_KEYS:
        return EXACT_KEYS[name]
    if "expire" in name or name.endswith("_at"):
        return None
    if not any(marker in name for marker in SANITIZE_KEYS):
        return None
    if "pass" in name or "pswd" in name:
        return PASSWORD
    if "token" in name:
        return TOKEN
    if "key" in name or "kek" in name or "temp_url" in name:
        return KEY
    if "cookie" in name:
        return COOKIE
    return SECRET


@lru_cache(maxsize=4096)
def header_kind(name: str) -> str | None:
    """The kind of secret a header carries, or None; names are case-insensitive."""
    kind = SECRET_HEADERS.get(name.strip().lower())
    return kind if kind is not None else key_kind(name)


class RedactedRecord(NamedTuple):
    """A record's target, headers and body with every secret replaced by its label."""

    target: str
    headers: tuple[tuple[str, str], ...]
    body: str


class Redactor:
    """Replaces secrets with labels that stay the same for the same value, for one run.

    Labels are numbered per kind in the order values are first seen; a value keeps the label
    of the kind it was first seen as. `learn()` visits a whole trace in file order first, so
    the numbering does not depend on which exchange the user opens first.
    """

    def __init__(self) -> None:
        self._labels: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._known: list[str] = []
        self._patterns: dict[tuple[str, ...], re.Pattern[str]] = {}

    @property
    def labels(self) -> dict[str, str]:
        """Every secret value seen so far and its label, in the order they were seen."""
        return dict(self._labels)

    def label(self, value: str, kind: str) -> str:
        """The label of `value`, giving it the next label of `kind` when it is new."""
        if not value or LABEL.fullmatch(value):
            return value
        label = self._labels.get(value)
        if label is None:
            count = self._counts.get(kind, 0) + 1
            self._counts[kind] = count
            label = self._labels[value] = f"<{kind}-{count}>"
            # Fernet tokens and JWTs are found by pattern anywhere; only other values need a
            # literal search of free text.
            if (
                MIN_KNOWN_LENGTH <= len(value) <= MAX_KNOWN_LENGTH
                and not FERNET.fullmatch(value)
                and not JWT.fullmatch(value)
            ):
                self._known.append(value)
        return label

    def header_value(self, name: str, value: str) -> str:
        """One header value with its secrets masked (the whole value for a secret header)."""
        kind = header_kind(name)
        if kind is None:
            return self.text(value)
        lowered = name.strip().lower()
        if lowered in _AUTHORIZATION:
            return self._credentials(value)
        if lowered in _COOKIES:
            return self._cookies(value)
        stripped = value.strip()
        return value.replace(stripped, self.label(stripped, kind)) if stripped else value

    def headers(self, headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        """A header list as ordered (name, value) pairs with every secret value masked."""
        return tuple((name, self.header_value(name, value)) for name, value in headers)

    def body(self, text: str) -> str:
        """A body with its secrets masked.

        JSON is parsed (duplicate keys and number literals kept), masked and written back
        with indent=2 in the same key order; a body with nothing to mask comes back as it
        was. Anything else, or JSON nested past MAX_DEPTH, is masked as text.
        """
        stripped = text.lstrip()
        if not stripped or stripped[0] not in '{["':
            return self.text(text)
        try:
            parsed = json.loads(
                text,
                object_pairs_hook=_Object,
                parse_int=_Number,
                parse_float=_Number,
                parse_constant=_Number,
            )
            masked, changed = self._mask(parsed, None, 0, strict=True)
        except (ValueError, RecursionError, _TooDeep):
            return self.text(text)
        if not changed:
            return text
        out: list[str] = []
        _write_json(masked, "", out)
        return "".join(out)

    def data(self, value: Any) -> Any:
        """A masked copy of parsed JSON (dicts, lists, scalars); the input is not modified.

        Containers nested past MAX_DEPTH are replaced by `TOO_DEEP`.
        """
        return self._mask(value, None, 0, strict=False)[0]

    def url(self, url: str) -> str:
        """A URL or path with its secrets masked: query values, user password, token paths."""
        return self.text(url)

    def text(self, text: str) -> str:
        """Free text with its secrets masked: `key: value` and `key=value` pairs of secret
        keys and headers, Fernet tokens, JWTs, token paths, URL passwords, known values."""
        if not text:
            return text
        if ":" in text or "=" in text:
            text = self._mask_pairs(text)
        return self._known_values(self._tokens_only(text))

    def record(self, trace: Trace, record: Record) -> RedactedRecord:
        """The target, headers and body of one record, masked."""
        source = trace.source
        return RedactedRecord(
            self.url(record.target),
            self.headers(source.headers(record)),
            self.body(source.body(record)),
        )

    def learn(self, trace: Trace) -> None:
        """Visit every record of `trace` in file order, so labels are numbered by first use
        and a secret is known before any text that repeats it is shown."""
        for record in trace.records:
            self.record(trace, record)

    def _credentials(self, value: str) -> str:
        # `Bearer <token>`: keep the scheme, it says what kind of credential this is.
        scheme, space, rest = value.strip().partition(" ")
        if not space or not rest.strip() or not re.fullmatch(r"[A-Za-z][\w.+-]*", scheme):
            return self.label(value.strip(), CREDENTIAL)
        kind = TOKEN if scheme.lower() == "bearer" else CREDENTIAL
        return f"{scheme} {self.label(rest.strip(), kind)}"

    def _cookies(self, value: str) -> str:
        parts = []
        for part in value.split(";"):
            name, equals, content = part.partition("=")
            bare = name.strip().lower()
            if not part.strip() or (equals and bare in _COOKIE_ATTRIBUTES):
                parts.append(part)
            elif not equals:
                parts.append(part if bare in _COOKIE_FLAGS else self._masked_piece(part, COOKIE))
            else:
                parts.append(f"{name}={self._masked_piece(content, COOKIE)}")
        return ";".join(parts)

    def _masked_piece(self, piece: str, kind: str) -> str:
        stripped = piece.strip()
        return piece.replace(stripped, self.label(stripped, kind)) if stripped else piece

    def _mask(self, value: Any, kind: str | None, depth: int, strict: bool) -> tuple[Any, bool]:
        """Mask parsed JSON; `kind` is set when the parent key is secret. Returns the masked
        value and whether anything changed."""
        if isinstance(value, (_Object, dict, list)) and depth >= MAX_DEPTH:
            if strict:
                raise _TooDeep
            return TOO_DEEP, True
        if isinstance(value, (_Object, dict)):
            pairs = []
            changed = False
            for key, child in value if isinstance(value, _Object) else value.items():
                child_kind = key_kind(key) if isinstance(key, str) else None
                # `{"token": {"id": ...}}`: the id of a secret object is the secret itself.
                if child_kind is None and kind is not None and key == "id":
                    child_kind = kind
                # Keys are masked for tokens only: a known password that happens to be a
                # common word must not rename the keys that give the body its structure.
                new_key = self._tokens_only(key) if isinstance(key, str) else key
                new_child, child_changed = self._mask(child, child_kind, depth + 1, strict)
                changed = changed or child_changed or new_key != key
                pairs.append((new_key, new_child))
            return (_Object(pairs) if isinstance(value, _Object) else dict(pairs)), changed
        if isinstance(value, list):
            items = [self._mask(item, kind, depth + 1, strict) for item in value]
            return [item for item, _ in items], any(changed for _, changed in items)
        if isinstance(value, str) and not isinstance(value, _Number):
            new = self.label(value, kind) if kind is not None else self.text(value)
            return new, new != value
        if kind is not None and isinstance(value, (int, float, _Number)):
            if isinstance(value, bool):
                return value, False
            return self.label(str(value), kind), True
        return value, False

    def _mask_pairs(self, text: str) -> str:
        """Mask the values of secret `key: value` / `key=value` pairs in free text."""
        lowered = text.lower()
        if not any(marker in lowered for marker in _MARKERS):
            return text
        # lower() can change the length of some non-ASCII text; positions must stay valid.
        haystack, marker = (
            (lowered, _MARKER) if len(lowered) == len(text) else (text, _MARKER_ANY_CASE)
        )
        out: list[str] = []
        last = 0
        position = 0
        line_end = -1
        while True:
            found = marker.search(haystack, position)
            if found is None:
                break
            name_end = _NAME_CHARS.match(text, found.end()).end()
            position = name_end
            separator = _SEPARATOR.match(text, name_end)
            if separator is None:
                continue
            # The start of the name, read backwards over a window one longer than a name.
            window = text[max(0, found.start() - MAX_NAME_LENGTH - 1) : found.start()]
            name_start = found.start() - _NAME_CHARS.match(window[::-1]).end()
            kind = None
            if name_end - name_start <= MAX_NAME_LENGTH:
                kind = header_kind(text[name_start:name_end])
            if kind is None:
                continue
            name = text[name_start:name_end]
            start = separator.end()
            position = start
            if start >= len(text) or text[start] in "{[\r\n":
                continue
            label = LABEL.match(text, start)
            if label is not None:
                position = label.end()
                continue
            if line_end < start:
                line_end = text.find("\n", start)
                if line_end == -1:
                    line_end = len(text)
            value_start, value_end, resume = _value_span(
                text, start, line_end, rest_of_line=separator["sep"] == ":"
            )
            is_header = name.lower() in SECRET_HEADERS
            value = text[value_start:value_end]
            if resume == value_end and not is_header:
                # An unquoted `name: value` runs to the end of the line (a password may hold
                # spaces), less what closes the structure around it.
                value = value.rstrip(" \t\r,;}]")
                value_end = resume = value_start + len(value)
            position = max(resume, start + 1)
            if not value.strip() or value.lower() in _NOT_SECRET_WORDS:
                continue
            out.append(text[last:value_start])
            out.append(self.header_value(name, value) if is_header else self.label(value, kind))
            last = value_end
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

    def _tokens_only(self, text: str) -> str:
        for needles, pattern in _STATIC_PARTS:
            if all(needle in text for needle in needles):
                text = pattern.sub(self._replace_match, text)
        return text

    def _known_values(self, text: str) -> str:
        known = tuple(value for value in self._known if value in text)
        if not known:
            return text
        pattern = self._patterns.get(known)
        if pattern is None:
            # Labels match first so a known value is never replaced inside a label; longest
            # values first, so a value that contains another is replaced whole.
            values = "|".join(map(re.escape, sorted(known, key=len, reverse=True)))
            pattern = re.compile(f"(?P<label>{_LABEL_BODY})|(?P<known>{values})")
            if len(self._patterns) > 64:
                self._patterns.clear()
            self._patterns[known] = pattern
        return pattern.sub(self._replace_match, text)

    def _replace_match(self, match: re.Match[str]) -> str:
        group = match.lastgroup
        if group == "label":
            return match.group()
        if group == "userpass":
            return match["userinfo"] + self.label(match["userpass"], PASSWORD) + "@"
        if group == "tokenseg":
            return match["tokenpath"] + self.label(match["tokenseg"], TOKEN)
        if group == "ec2seg":
            return match["ec2path"] + self.label(match["ec2seg"], KEY)
        if group == "known":
            return self._labels[match.group()]
        return self.label(match.group(), TOKEN)


def _value_span(text: str, start: int, line_end: int, rest_of_line: bool) -> tuple[int, int, int]:
    """Where the value that begins at `start` lies: (value start, value end, resume at).

    Quoted values end at their closing quote, or at `line_end` when it is missing, so each
    character is read once whatever the input. Unquoted values run to the end of the line
    after `:`, and to the next delimiter after `=` (query strings, form bodies).
    """
    if text.startswith('\\"', start):
        close = text.find('\\"', start + 2, line_end)
        end = close if close != -1 else line_end
        return start + 2, end, end + 2 if close != -1 else end
    char = text[start]
    if char == '"':
        end = _DOUBLE_QUOTED.match(text, start + 1).end()
        return start + 1, end, end + 1 if text.startswith('"', end) else end
    if char == "'":
        close = text.find("'", start + 1, line_end)
        end = close if close != -1 else line_end
        return start + 1, end, end + 1 if close != -1 else end
    if rest_of_line:
        end = line_end - 1 if text[line_end - 1 : line_end] == "\r" else line_end
        return start, end, end
    bare = _BARE_VALUE.match(text, start)
    end = bare.end() if bare is not None else start
    return start, end, end


def _write_json(value: Any, indent: str, out: list[str]) -> None:
    """Append `value` as JSON to `out`, laid out like json.dumps(indent=2)."""
    if isinstance(value, (_Object, dict)):
        pairs = list(value) if isinstance(value, _Object) else list(value.items())
        if not pairs:
            out.append("{}")
            return
        inner = indent + "  "
        out.append("{\n")
        for position, (key, child) in enumerate(pairs):
            out.append(f"{inner}{_json_string(str(key))}: ")
            _write_json(child, inner, out)
            out.append(",\n" if position < len(pairs) - 1 else "\n")
        out.append(indent + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        out.append("[\n")
        for position, child in enumerate(value):
            out.append(inner)
            _write_json(child, inner, out)
            out.append(",\n" if position < len(value) - 1 else "\n")
        out.append(indent + "]")
    elif isinstance(value, _Number):
        out.append(str(value))
    elif isinstance(value, str):
        out.append(_json_string(value))
    else:
        out.append(json.dumps(value))


def _json_string(value: str) -> str:
    # Readable text stays readable; a lone surrogate (only reachable through a `\ud800`
    # escape) is written escaped again, since it cannot be encoded for output.
    return json.dumps(value, ensure_ascii=bool(_SURROGATE.search(value)))


def secret_values(trace: Trace) -> list[str]:
    """Every secret value a `Redactor` finds in `trace`, in the order first seen."""
    redactor = Redactor()
    redactor.learn(trace)
    return list(redactor.labels)
