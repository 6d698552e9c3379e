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

from tui.text.json_parse import MAX_DEPTH, parse_json

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

# A secret seen in a structured place is also hidden wherever it recurs in free text; shorter
# values would turn common words into labels, longer ones cost a scan of every text for nothing.
MIN_KNOWN_LENGTH = 4
# A PKI token is 8-16 KB; a longer known value (a private key, a whole blob) is still searched
# for, with one substring search per text.
MAX_KNOWN_LENGTH = 1 << 20
# Lines of a multi-line secret shorter than this (a blank line, a closing brace) are not
# looked for on their own.
MIN_LINE_LENGTH = 8
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
    # Not in oslo: the issue's and detect-secrets' keyword list. `pwd` (a password field),
    # `signature` (EC2 credentials, signed URLs: `Signature`, `X-Amz-Signature`),
    # `credential` (`X-Amz-Credential`), API keys and AWS access key ids.
    "pwd",
    "signature",
    "credential",
    "api_key",
    "apikey",
    "accesskey",
    "access_key",
    "privatekey",
)
# EC2 credentials hold their key pair in `access` and `secret`; `access` alone is too common a
# substring (`access_rules`, `accessIPv4`) to match anything but the exact key.
# Keystone's TOTP / EC2 credential `blob`, Barbican's secret `payload` and the short `sig` of
# signed URLs are too common as substrings (`payload_content_type`, `signed`) to match more.
EXACT_KEYS = {"access": KEY, "blob": SECRET, "payload": SECRET, "sig": KEY}
# Under a key of these kinds every leaf is secret (`{"secret": {"value": ...}}`); under a token,
# password or credential key only `id` is (`{"token": {"id": ...}}`), since those objects are
# Keystone's own structures (a token's catalog, a password's user and domain). `access` is
# the root of a Keystone v2 token response, walked like a token.
_EVERY_LEAF_KINDS = (SECRET, KEY)
_WALKED_KEYS = {"access"}
# Headers named `X-Amz-*` carry AWS signatures, credentials and session tokens; these few are
# the request's metadata.
_AMZ_PUBLIC = {
    "x-amz-date",
    "x-amz-content-sha256",
    "x-amz-request-id",
    "x-amz-id-2",
    "x-amz-expires",
    "x-amz-algorithm",
    "x-amz-signedheaders",
}

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
    "x-api-key": KEY,
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
    "pass", "pswd", "pwd", "token", "secret", "key", "kek", "cookie", "configdrive", "fsid",
    "hashsuffix", "access", "authorization", "temp", "sig", "credential", "blob", "payload",
    "x-amz-",
)  # fmt: skip
_MARKER = re.compile("|".join(_MARKERS))
_MARKER_ANY_CASE = re.compile("|".join(_MARKERS), re.IGNORECASE)
# A name is a run of these around a marker; the separator after it may close a quote
# (`"name": `, `name=`, `\"name\": `).
# Percent escapes and brackets belong to a name too: form keys (`auth%5Bpassword%5D=`) and
# queries nested in an encoded query (`?path=%3Ftoken%3D...`, once or twice encoded).
_NAME_CHARS = re.compile(r"(?:[\w.\[\]-]|%(?:25)?5[BbDd])*")
_NAME_CHARS_REVERSED = re.compile(r"(?:[\w.\[\]-]|[BbDd]5(?:52)?%)*")
_SEPARATOR = re.compile(r"(?:\\?[\"'])?[ \t]*(?P<sep>[:=]|%(?:25)?3[Dd])[ \t]*")
MAX_NAME_LENGTH = 64
_DOUBLE_QUOTED = re.compile(r'(?:[^"\\\n]|\\.)*')
_BARE_VALUE = re.compile(r"(?:[^\s,;&}\]\"'\\%]|%(?!(?:25)?26))+")
_NOT_SECRET_WORDS = {"null", "true", "false", "none"}

# Pieces of text that are secret whatever surrounds them, each with the substrings it needs.
# Each runs as its own pass, only on text holding its substrings: one alternation of them all
# loses the engine's literal-prefix search and is ten times slower on a large text. None of
# them can match inside a label, so the passes cannot rewrite each other's output.
_B64 = r"[A-Za-z0-9+/_=-]"
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
    # AWS access key ids (long-term AKIA, temporary ASIA), as detect-secrets finds them.
    (("AKIA",), re.compile(r"(?<![A-Z0-9])(?P<awskey>AKIA[A-Z0-9]{16})(?![A-Z0-9])")),
    (("ASIA",), re.compile(r"(?<![A-Z0-9])(?P<awskey>ASIA[A-Z0-9]{16})(?![A-Z0-9])")),
    # Keystone PKI tokens are CMS in base64 (`MII...`, kilobytes long); PKIZ ones are prefixed.
    # The lookbehind lets only the start of a run begin an attempt, as for JWTs.
    (("MII",), re.compile(rf"(?P<pki>MII(?<!{_B64}MII){_B64}{{1000,}})")),
    (("PKIZ_",), re.compile(rf"(?P<pki>PKIZ_(?<!{_B64}PKIZ_){_B64}{{100,}})")),
    # GitHub and Slack tokens, by their documented prefixes.
    (("gh",), re.compile(r"(?<![A-Za-z0-9_])(?P<token>gh[pousr]_[A-Za-z0-9]{36,255})")),
    (("xox",), re.compile(r"(?<![A-Za-z0-9_])(?P<token>xox[abposr]-[A-Za-z0-9-]{10,250})")),
)
# detect-secrets' private key headers: PEM (RSA, DSA, EC, OPENSSH, ENCRYPTED, plain), PGP
# (`PRIVATE KEY BLOCK`), SSH2 ENCRYPTED.
_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_ID_OPENING = re.compile(r'\{[ \t\r\n]*(\\?")id\1[ \t]*:[ \t]*')
# A continuation line of a folded header: indented, not blank.
_FOLDED = re.compile(r"[ \t]+[^\s]")
# The words of a query: runs between spaces, quotes and the `field:` / `name=` separators.
_WORD = re.compile(r"[^\s\"':=]+")
# Real line breaks and JSON's escaped ones.
_LINE_BREAKS = re.compile(r"\r?\n|\\r?\\n")
_SURROGATE = re.compile("[\ud800-\udfff]")
# JSON text cut into tokens, whatever it holds: strings (maybe unterminated), punctuation,
# runs of anything else, whitespace. Each character is read once.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+|\s+')


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
    `_`), or is one of `EXACT_KEYS`. Timestamps about a secret (`password_expires_at`) are not.
    """
    name = _normalize(key)
    if name in EXACT_KEYS:
        return EXACT_KEYS[name]
    if "expire" in name or name.endswith("_at"):
        return None
    if not any(marker in name for marker in SANITIZE_KEYS):
        return None
    if "pass" in name or "pswd" in name or "pwd" in name:
        return PASSWORD
    if "token" in name:
        return TOKEN
    if any(part in name for part in ("key", "kek", "temp_url", "signature")):
        return KEY
    if "cookie" in name:
        return COOKIE
    if "credential" in name:
        # `X-Amz-Credential`, a `credential`; a list of `credentials` is walked by key.
        return CREDENTIAL if name.endswith("credential") else None
    return SECRET


@lru_cache(maxsize=4096)
def header_kind(name: str) -> str | None:
    """The kind of secret a header carries, or None; names are case-insensitive."""
    lowered = name.strip().lower()
    kind = SECRET_HEADERS.get(lowered)
    if kind is None and lowered.startswith("x-amz-") and lowered not in _AMZ_PUBLIC:
        return key_kind(name) or CREDENTIAL
    return kind if kind is not None else key_kind(name)


def child_kind_of(key: str, kind: str | None, every: bool) -> tuple[str | None, bool]:
    """(kind, every leaf) of the value under `key` in an object whose own kind is `kind`.

    Under a secret or key every leaf is secret; under a token, password or credential only
    `id` is (`{"token": {"id": ...}}`), the rest of such an object being walked by key.
    """
    own = key_kind(key)
    if own is not None:
        walked = own not in _EVERY_LEAF_KINDS or _normalize(key) in _WALKED_KEYS
        return own, every or not walked
    if every:
        return kind, True
    if kind is not None and key == "id":
        return kind, False
    return None, False


def _json_string_value(token: str) -> str:
    """The text of a JSON string token (maybe cut short); other tokens as they are."""
    if not token.startswith('"'):
        return token
    if len(token) > 1 and token.endswith('"'):
        try:
            value = parse_json(token)
        except ValueError:
            return token[1:-1]
        return value if isinstance(value, str) else token[1:-1]
    return token[1:]


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
            if "\n" in value and len(value) <= MAX_KNOWN_LENGTH:
                self._remember_lines(value, label)
        return label

    def _remember_lines(self, value: str, label: str) -> None:
        # A view that shows a text line by line (the diff, the detail pane) would show the
        # lines of a multi-line secret (a PEM key) one at a time, none of them the whole value:
        # each line is known too, under the same label.
        for line in _LINE_BREAKS.split(value):
            line = line.strip()
            if len(line) >= MIN_LINE_LENGTH and line not in self._labels:
                self._labels[line] = label
                self._known.append(line)

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
            parsed = parse_json(
                text,
                object_pairs_hook=_Object,
                parse_int=_Number,
                parse_float=_Number,
                parse_constant=_Number,
            )
            masked, changed = self._mask(parsed, None, 0, strict=True)
        except (ValueError, _TooDeep):
            return self._json_text(text)
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

    def echo(self, text: str) -> str:
        """Text the user typed (a query, a filter) as it may be shown back: masked as free
        text, and every word of it that is a piece of a secret seen so far replaced by a label
        of that secret's kind, so grepping for a token does not print the token."""
        masked = self.text(text)
        kinds = {value: label[1 : label.rindex("-")] for value, label in self._labels.items()}

        def piece(match: re.Match[str]) -> str:
            word = match.group()
            if len(word) >= MIN_KNOWN_LENGTH and not LABEL.fullmatch(word):
                for value, kind in kinds.items():
                    if word in value:
                        return self.label(word, kind)
            return word

        return _WORD.sub(piece, masked)

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

    def _mask(
        self, value: Any, kind: str | None, depth: int, strict: bool, every: bool = False
    ) -> tuple[Any, bool]:
        """Mask parsed JSON; `kind` is set when the parent key is secret, `every` when every
        leaf under it is. Returns the masked value and whether anything changed."""
        if isinstance(value, (_Object, dict, list)) and depth >= MAX_DEPTH:
            if strict:
                raise _TooDeep
            return TOO_DEEP, True
        if isinstance(value, (_Object, dict)):
            pairs = []
            changed = False
            for key, child in value if isinstance(value, _Object) else value.items():
                child_kind, child_every = child_kind_of(str(key), kind, every)
                # Keys are masked for tokens only: a known password that happens to be a
                # common word must not rename the keys that give the body its structure.
                new_key = self._tokens_only(key) if isinstance(key, str) else key
                new_child, child_changed = self._mask(
                    child, child_kind, depth + 1, strict, child_every
                )
                changed = changed or child_changed or new_key != key
                pairs.append((new_key, new_child))
            return (_Object(pairs) if isinstance(value, _Object) else dict(pairs)), changed
        if isinstance(value, list):
            items = [self._mask(item, kind, depth + 1, strict, every) for item in value]
            return [item for item, _ in items], any(changed for _, changed in items)
        if isinstance(value, str) and not isinstance(value, _Number):
            if kind is None:
                new = self.text(value)
            elif every and value.lstrip()[:1] in ("{", "["):
                new = self._embedded_json(value, kind)
            else:
                new = self.label(value, kind)
            return new, new != value
        if kind is not None and isinstance(value, (int, float, _Number)):
            if isinstance(value, bool):
                return value, False
            return self.label(str(value), kind), True
        return value, False

    def _embedded_json(self, value: str, kind: str) -> str:
        """A secret held as JSON in a string (an EC2 credential's `blob`): every leaf masked,
        the keys kept, so the user still sees what the secret is made of."""
        try:
            parsed = parse_json(value)
        except ValueError:
            return self.label(value, kind)
        masked = self._mask(parsed, kind, 0, strict=False, every=True)[0]
        return json.dumps(masked, ensure_ascii=False)

    def _json_text(self, text: str) -> str:
        """JSON that did not parse (cut short, nested too deep), masked by key as it reads:
        a token-by-token walk with an explicit stack, so `"token": {"id": "..."}` in a cut
        body is found as in a whole one. The rest is then masked as free text."""
        out: list[str] = []
        # (is an object, kind, every leaf) of each open container.
        stack: list[tuple[bool, str | None, bool]] = []
        expect_key = False
        value_kind: str | None = None
        value_every = False
        last = 0
        for match in _JSON_TOKEN.finditer(text):
            token = match.group()
            first = token[0]
            if first == ":" or first.isspace():
                continue
            if stack and stack[-1][0]:
                kind, every = value_kind, value_every
            elif stack:
                kind, every = stack[-1][1], stack[-1][2]
            else:
                kind, every = None, False
            if first in "{[":
                stack.append((first == "{", kind, every))
                expect_key = first == "{"
                value_kind, value_every = None, False
            elif first in "}]":
                if stack:
                    stack.pop()
                expect_key = False
            elif first == ",":
                expect_key = bool(stack) and stack[-1][0]
            elif first == '"' and expect_key:
                parent = stack[-1]
                value_kind, value_every = child_kind_of(_json_string_value(token), *parent[1:])
                expect_key = False
            elif kind is not None and token not in _NOT_SECRET_WORDS:
                label = self.label(_json_string_value(token) if first == '"' else token, kind)
                closed = first == '"' and len(token) > 1 and token.endswith('"')
                # Only what changes is copied: a 200 MB body costs no list of its tokens.
                out.append(text[last : match.start()])
                out.append(f'"{label}"' if closed else f'"{label}' if first == '"' else label)
                last = match.end()
        if out:
            out.append(text[last:])
            text = "".join(out)
        return self.text(text)

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
            name_end = _NAME_CHARS.match(text, found.end()).end()  # type: ignore[union-attr]  # `...*`: always matches
            position = name_end
            separator = _SEPARATOR.match(text, name_end)
            if separator is None:
                continue
            # The start of the name, read backwards over a window one longer than a name.
            window = text[max(0, found.start() - MAX_NAME_LENGTH - 1) : found.start()]
            name_start = found.start() - _NAME_CHARS_REVERSED.match(window[::-1]).end()  # type: ignore[union-attr]  # `...*`: always matches
            kind = None
            if name_end - name_start <= MAX_NAME_LENGTH:
                kind = header_kind(text[name_start:name_end])
            if kind is None:
                continue
            name = text[name_start:name_end]
            start = separator.end()
            position = start
            if text.startswith("{", start):
                # `"token": {"id": "..."}` in text that is not JSON as a whole.
                opening = _ID_OPENING.match(text, start)
                if opening is not None:
                    start = position = opening.end()
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
            if is_header and resume == value_end:
                # A folded header: lines that start with a space or a tab continue it.
                while _FOLDED.match(text, value_end + 1) and value_end < len(text):
                    value_end = text.find("\n", value_end + 1)
                    if value_end == -1:
                        value_end = len(text)
                    line_end = resume = value_end
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
        if "PRIVATE KEY" in text:
            text = self._private_keys(text)
        return text

    def _private_keys(self, text: str) -> str:
        """Mask PEM private key blocks (`-----BEGIN RSA PRIVATE KEY-----` to its END line),
        with real or JSON-escaped newlines. A block with no END line (a cut body) runs to the
        closing quote of the JSON string around it, or to the end of the text."""
        out: list[str] = []
        last = 0
        for begin in _PEM_BEGIN.finditer(text):
            if begin.start() < last:
                continue
            quote = text.find('"', begin.end())
            # The END line is looked for only before that quote, so each character is read
            # once however many BEGIN lines there are.
            limit = quote if quote != -1 else len(text)
            end = _PEM_END.search(text, begin.end(), limit)
            stop = end.end() if end is not None else limit
            out.append(text[last : begin.start()])
            out.append(self.label(text[begin.start() : stop], KEY))
            last = stop
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

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
        end = _DOUBLE_QUOTED.match(text, start + 1).end()  # type: ignore[union-attr]  # `...*`: always matches
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
