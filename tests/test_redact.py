"""Secrets redaction: nothing secret survives, labels follow a value, JSON keeps its shape."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import TRACE_FILES
from tui.readers import read_trace
from tui.redact import LABEL, TOO_DEEP, Redactor, secret_values

# The test's own notion of what is secret, written from the issue rather than from the module,
# so a mistake in the module's tables cannot hide itself.
SECRET_HEADERS = {
    "x-auth-token",
    "x-subject-token",
    "x-service-token",
    "x-storage-token",
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-auth-key",
    "x-account-meta-temp-url-key",
    "x-account-meta-temp-url-key-2",
    "x-container-meta-temp-url-key",
    "x-container-meta-temp-url-key-2",
    "openstack-auth-receipt",
}
FERNET = re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}")
LABEL_TEXT = re.compile(r"<[a-z]+-\d+>")


def is_secret_key(key: str) -> bool:
    lowered = key.lower()
    if "expire" in lowered:
        return False
    return lowered == "access" or any(
        word in lowered for word in ("pass", "token", "secret", "private_key")
    )


def json_leaves(value, parent_key=None):
    """(parent key, leaf) for every scalar of parsed JSON."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from json_leaves(child, key)
    elif isinstance(value, list):
        for child in value:
            yield from json_leaves(child, parent_key)
    else:
        yield parent_key, value


def collect_secrets(trace) -> set[str]:
    """Every secret value of a trace, found without the module under test."""
    secrets = set()
    for record in trace.records:
        for name, value in trace.source.headers(record):
            if name.lower() in SECRET_HEADERS and value:
                secrets.add(value)
            secrets.update(FERNET.findall(value))
        body = trace.source.body(record)
        secrets.update(FERNET.findall(body))
        try:
            parsed = json.loads(body)
        except ValueError:
            continue
        for key, leaf in json_leaves(parsed):
            if key is not None and is_secret_key(key) and isinstance(leaf, str) and leaf:
                secrets.add(leaf)
    return secrets


def redacted_output(trace, redactor: Redactor) -> str:
    """Everything a command could print about every exchange, redacted."""
    parts = []
    for exchange in trace.exchanges:
        for record in (exchange.request, exchange.response):
            if record is None:
                continue
            masked = redactor.record(trace, record)
            parts.append(masked.target)
            parts += [f"{name}: {value}" for name, value in masked.headers]
            parts.append(masked.body)
    for index in trace.orphan_records:
        masked = redactor.record(trace, trace.records[index])
        parts += [masked.target, masked.body, *(value for _, value in masked.headers)]
    return "\n".join(parts)


@pytest.fixture(scope="module", params=TRACE_FILES, ids=lambda path: path.name)
def trace(request):
    return read_trace(request.param)


def test_no_secret_value_survives(trace):
    secrets = collect_secrets(trace)
    assert any(FERNET.fullmatch(value) for value in secrets), "sample should carry tokens"
    output = redacted_output(trace, Redactor())
    leaked = sorted(value[:12] for value in secrets if value in output)
    assert not leaked


def test_secret_values_finds_every_secret(trace):
    assert collect_secrets(trace) <= set(secret_values(trace))


def test_issued_token_keeps_its_label_in_later_requests(trace):
    redactor = Redactor()
    issued: dict[str, str] = {}
    followed = 0
    for exchange in trace.exchanges:
        request = trace.source.headers(exchange.request)
        for (name, value), (_, masked) in zip(request, redactor.headers(request)):
            if name.lower() == "x-auth-token" and value in issued:
                assert masked == issued[value]
                followed += 1
        response = trace.source.headers(exchange.response)
        for (name, value), (_, masked) in zip(response, redactor.headers(response)):
            if name.lower() == "x-subject-token":
                assert LABEL_TEXT.fullmatch(masked) and masked.startswith("<token-")
                issued.setdefault(value, masked)
    assert issued and followed


def test_one_label_per_value_and_one_value_per_label(trace):
    redactor = Redactor()
    pairs = set()
    for record in trace.records:
        headers = trace.source.headers(record)
        for (name, value), (_, masked) in zip(headers, redactor.headers(headers)):
            if name.lower() in SECRET_HEADERS:
                pairs.add((value, masked))
    values = {value for value, _ in pairs}
    labels = {label for _, label in pairs}
    assert len(pairs) == len(values) == len(labels)


def test_labels_numbered_in_file_order_after_learn(trace):
    forward = Redactor()
    forward.learn(trace)
    backward = Redactor()
    backward.learn(trace)
    for record in reversed(trace.records):
        assert backward.record(trace, record) == forward.record(trace, record)
    first_token = next(
        value
        for record in trace.records
        for name, value in trace.source.headers(record)
        if name.lower() in SECRET_HEADERS
    )
    assert forward.labels[first_token] == "<token-1>"


def assert_same_shape(original, redacted):
    """Same keys in the same order, same lengths; non-secret leaves equal."""
    if isinstance(original, list) and original and isinstance(original[0], tuple):
        assert [key for key, _ in original] == [key for key, _ in redacted]
        for (key, child), (_, masked) in zip(original, redacted):
            secret_leaf = isinstance(child, (str, int, float)) and not isinstance(child, bool)
            if is_secret_key(key) and secret_leaf and child != "":
                assert LABEL_TEXT.fullmatch(masked)
                continue
            assert_same_shape(child, masked)
    elif isinstance(original, list):
        assert isinstance(redacted, list) and len(original) == len(redacted)
        for child, masked in zip(original, redacted):
            assert_same_shape(child, masked)
    elif isinstance(original, str):
        assert FERNET.sub("", original) == LABEL_TEXT.sub("", redacted)
    else:
        assert original == redacted


def pairs_json(text: str):
    return json.loads(text, object_pairs_hook=list)


def test_json_bodies_stay_json_with_the_same_structure(trace):
    redactor = Redactor()
    checked = unchanged = 0
    for record in trace.records:
        body = trace.source.body(record)
        try:
            original = pairs_json(body)
        except ValueError:
            continue
        masked = redactor.body(body)
        assert_same_shape(original, pairs_json(masked))
        checked += 1
        unchanged += masked == body
    assert checked and unchanged


def test_keystone_token_body_is_followed_not_blanked(sample):
    trace = read_trace(sample("image-show.md"))
    issued = next(
        exchange.response
        for exchange in trace.exchanges
        if trace.source.header(exchange.response, "X-Subject-Token")
    )
    body = trace.source.body(issued)
    assert json.loads(Redactor().body(body)) == json.loads(body)


def test_duplicate_keys_do_not_leak():
    body = '{"password": "first-secret", "password": "second-secret", "user": "admin"}'
    masked = Redactor().body(body)
    assert "first-secret" not in masked and "second-secret" not in masked
    pairs = pairs_json(masked)
    assert [key for key, _ in pairs] == ["password", "password", "user"]
    assert pairs[0][1] != pairs[1][1] and all(LABEL_TEXT.fullmatch(v) for _, v in pairs[:2])
    assert pairs[2] == ("user", "admin")


def test_containers_under_secret_keys_are_walked_not_replaced():
    body = json.dumps(
        {
            "auth": {
                "identity": {
                    "methods": ["password", "token"],
                    "password": {"user": {"name": "admin", "password": "hunter2!"}},
                    "token": {"id": "0123456789abcdef0123456789abcdef"},
                }
            }
        }
    )
    redactor = Redactor()
    masked = json.loads(redactor.body(body))
    identity = masked["auth"]["identity"]
    assert identity["methods"] == ["password", "token"]
    assert identity["password"]["user"]["name"] == "admin"
    assert identity["password"]["user"]["password"] == "<password-1>"
    assert identity["token"]["id"] == "<token-1>"


def test_ec2_credentials_and_json_in_strings():
    body = json.dumps(
        {
            "credentials": [{"access": "AKIAEXAMPLE1", "secret": "wJalrXUtnFEMI", "id": "c1"}],
            "credential": {"blob": json.dumps({"access": "AKIAEXAMPLE2", "secret": "bPxRfiCY"})},
        }
    )
    masked = Redactor().body(body)
    for value in ("AKIAEXAMPLE1", "wJalrXUtnFEMI", "AKIAEXAMPLE2", "bPxRfiCY"):
        assert value not in masked
    parsed = json.loads(masked)
    assert parsed["credentials"][0]["id"] == "c1"
    assert json.loads(parsed["credential"]["blob"]).keys() == {"access", "secret"}


def test_secret_numbers_and_huge_integers():
    big = "7" * 5000
    masked = Redactor().body('{"secret": 123456789, "size": ' + big + ', "ratio": 1.50}')
    pairs = json.loads(masked, object_pairs_hook=list, parse_int=str)
    assert LABEL_TEXT.fullmatch(pairs[0][1])
    assert pairs[1] == ("size", big)
    assert big in masked and '"ratio": 1.50' in masked


def test_headers_case_insensitive_with_schemes_and_cookie_attributes():
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl"
    headers = (
        ("authorization", f"Bearer {jwt}"),
        ("Proxy-Authorization", "Basic dXNlcjpwYXNzd29yZA=="),
        ("COOKIE", "session=s3ss10n; theme=dark"),
        ("Set-Cookie", "sid=abcd1234; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT; HttpOnly"),
        ("x-container-meta-temp-url-key-2", "tempkey22"),
        ("OpenStack-Auth-Receipt", "receipt-value-1"),
        ("X-Auth-Token-Expires", "3600"),
        ("Location", f"http://h/v1?token={jwt}"),
        ("Vary", "X-Auth-Token"),
    )
    redactor = Redactor()
    masked = dict(redactor.headers(headers))
    output = "\n".join(masked.values())
    for secret in (jwt, "dXNlcjpwYXNzd29yZA==", "s3ss10n", "abcd1234", "tempkey22", "receipt"):
        assert secret not in output
    assert masked["authorization"].startswith("Bearer <token-")
    assert masked["Location"] == "http://h/v1?token=" + masked["authorization"].split()[1]
    assert "Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT; HttpOnly" in masked["Set-Cookie"]
    assert masked["X-Auth-Token-Expires"] == "3600"
    assert masked["Vary"] == "X-Auth-Token"


def test_urls_and_paths():
    redactor = Redactor()
    url = "https://user:pa55w0rd@swift/v1/AUTH_p/c/o?temp_url_sig=da39a3ee5e6b&temp_url_expires=9"
    masked = redactor.url(url)
    assert "pa55w0rd" not in masked and "da39a3ee5e6b" not in masked
    assert masked.startswith("https://user:<password-") and masked.endswith("temp_url_expires=9")
    assert "abcdef0123456789" not in redactor.url("/v2.0/tokens/abcdef0123456789/endpoints")
    assert "AKIAPATH" not in redactor.url("/v3/users/u1/credentials/OS-EC2/AKIAPATH")
    assert redactor.url("/v3/auth/tokens/OS-PKI/revoked") == "/v3/auth/tokens/OS-PKI/revoked"


def test_text_masks_pairs_tokens_and_known_values():
    redactor = Redactor()
    redactor.body('{"adminPass": "kNNSdm96W6ma"}')
    fernet = "gAAAAAB" + "x1_-" * 20
    text = (
        f"password=hunter22&user=bob\nX-Auth-Token: {fernet}\n"
        "error: adminPass kNNSdm96W6ma rejected\n"
        "passphrase: correct horse battery\n"
        '{"token": "trunc'
    )
    masked = redactor.text(text)
    for secret in ("hunter22", fernet, "kNNSdm96W6ma", "horse", "battery", "trunc"):
        assert secret not in masked
    assert "user=bob" in masked
    assert redactor.text(masked) == masked


def test_text_whose_lower_case_changes_length():
    # "İ".lower() is two characters: positions found in the lower-cased copy would drift.
    text = "İ" * 10 + " password=leak1234 next"
    masked = Redactor().text(text)
    assert masked == "İ" * 10 + " password=<password-1> next"


def test_same_value_keeps_its_first_label_across_kinds():
    redactor = Redactor()
    assert redactor.label("value-one", "token") == "<token-1>"
    assert redactor.label("value-two", "password") == "<password-1>"
    assert redactor.label("value-one", "password") == "<token-1>"
    assert redactor.label("<token-1>", "token") == "<token-1>"


def test_data_masks_a_copy_and_bounds_depth():
    redactor = Redactor()
    value = {"password": "p4ssw0rd", "list": [1, True, None], "name": "n"}
    assert redactor.data(value) == {
        "password": "<password-1>",
        "list": [1, True, None],
        "name": "n",
    }
    assert value["password"] == "p4ssw0rd"
    deep: object = "leaf"
    for _ in range(500):
        deep = [deep]
    masked = redactor.data(deep)
    for _ in range(200):
        masked = masked[0]
    assert masked == TOO_DEEP


def test_deep_and_broken_json_fall_back_to_text():
    fernet = "gAAAAAB" + "q" * 40
    deep = "[" * 100_000 + f'{{"password": "deep-secret", "t": "{fernet}"}}' + "]" * 100_000
    redactor = Redactor()
    masked = redactor.body(deep)
    assert "deep-secret" not in masked and fernet not in masked
    limit = '{"a": ' * 300 + '{"password": "limit-secret"}' + "}" * 300
    assert "limit-secret" not in redactor.body(limit)
    assert "cut-secret" not in redactor.body('{"password": "cut-secret", "x": [1, 2')


# A megabyte and a half each: a scan that restarts at every match would take minutes.
@pytest.mark.parametrize(
    "unit",
    ["a", "eyJ", "-eyJ.", "gAAAAA", "a=", "a://", 'password:\\"', 'token:"', "key key=", "["],
)
def test_hostile_lines_stay_linear(unit):
    line = unit * (1_500_000 // len(unit))
    started = time.perf_counter()
    Redactor().body(line)
    assert time.perf_counter() - started < 6


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_text_never_raises(text):
    redactor = Redactor()
    for masked in (redactor.body(text), redactor.text(text), redactor.url(text)):
        assert isinstance(masked, str)
    redactor.headers((("X-Auth-Token", text), (text, text), ("Set-Cookie", text)))


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from(["password", "adminPass", "X_Token", "secret"]))
def test_json_stays_json_and_secret_leaves_vanish(value, key):
    secret = "Zq7" + "w" * 9
    document = {"wrapper": value, key: secret}
    assume(secret not in json.dumps(value, ensure_ascii=False))
    masked = Redactor().body(json.dumps(document, indent=2))
    assert secret not in masked
    reparsed = json.loads(masked)
    assert list(reparsed) == ["wrapper", key]
    assert LABEL.fullmatch(reparsed[key])


def test_core_does_not_import_textual():
    code = "import sys, tui.redact; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
