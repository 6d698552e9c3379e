"""Issue 14, points 3-7: secrets found by kind (header and key names, value shapes, query
parameters, PEM blocks), in cut JSON, folded headers, long values, and in what grep echoes."""

from __future__ import annotations

import json

import pytest

from tests.hostile import PLANTED_PEM
from tui.cli import main
from tui.redact import LABEL, Redactor

AKIA = "AKIAIOSFODNN7EXAMPLE"

# (case id, how the text is masked, the text, the secret that must not survive)
CASES = [
    ("signature-param", "url", "/o?Signature=c2lnbmF0dXJlMQ%3D&Expires=1", "c2lnbmF0dXJlMQ"),
    ("amz-signature", "url", "/b/k?X-Amz-Signature=0aa1bb2cc3dd&X-Amz-Date=1", "0aa1bb2cc3dd"),
    ("amz-credential", "url", f"/b/k?X-Amz-Credential={AKIA}%2F2026%2Fs3", "%2F2026%2Fs3"),
    ("aws-access-key-id", "url", "/b/k?AWSAccessKeyId=AKIDEXAMPLEVALUE1&x=1", "AKIDEXAMPLEVALUE1"),
    ("akia-in-text", "body", f"created key {AKIA} for bob", AKIA),
    ("akia-in-json", "body", json.dumps({"note": f"id={AKIA[:4]}X {AKIA}"}), AKIA),
    ("asia-in-json", "body", json.dumps({"k": "ASIAY34FZKBOKMUTVV7A"}), "ASIAY34FZKBOKMUTVV7A"),
    ("ec2-signature", "body", json.dumps({"credentials": {"signature": "ec2SiG+val="}}), "ec2SiG"),
    ("x-api-key-text", "text", "X-API-Key: 7f3e-api-key-value\n", "7f3e-api-key-value"),
    ("api_key-param", "url", "/v1/x?api_key=apikeyvalue99&page=2", "apikeyvalue99"),
    ("apiKey-json", "body", json.dumps({"apiKey": "camelapikey77"}), "camelapikey77"),
    ("totp-blob", "body", json.dumps({"credential": {"blob": "JBSWY3DPEHPK3PXP"}}), "JBSWY3DP"),
    ("barbican-payload", "body", json.dumps({"payload": "barbican-value"}), "barbican-value"),
    ("pem-in-json", "body", json.dumps({"keypair": {"key_material": PLANTED_PEM}}), "MIIEow"),
    ("pem-in-text", "body", "key:\n" + PLANTED_PEM + "\nend", "MIIEow"),
    ("pem-cut", "body", '{"keypair": {"x": "' + json.dumps(PLANTED_PEM)[1:60], "MIIEow"),
    ("pwd", "body", json.dumps({"pwd": "pwd-value-1"}), "pwd-value-1"),
    ("pwd-form", "body", "user=bob&pwd=form-pwd-1", "form-pwd-1"),
    ("encoded-form-key", "body", "auth%5Bpassword%5D=formpass1&auth%5Bu%5D=b", "formpass1"),
    ("form-key-brackets", "body", "auth[password]=formpass2&x=1", "formpass2"),
    ("vnc-console", "url", "http://h:6080/vnc_lite.html?path=%3Ftoken%3Dc0ns0le77", "c0ns0le77"),
    ("vnc-twice-encoded", "url", "/x?u=%2Fv%3Fpath%3D%253Ftoken%253Dtw1ce99", "tw1ce99"),
    ("secret-object", "body", json.dumps({"secret": {"value": "objval1"}}), "objval1"),
    ("secret-object-deep", "body", json.dumps({"secrets": [{"a": {"b": 123987}}]}), "123987"),
    ("x-amz-security-token", "text", "X-Amz-Security-Token: sessiontok1\n", "sessiontok1"),
    ("github-token", "body", "use ghp_" + "a1B2" * 9 + " here", "a1B2a1B2"),
]


def masked(redactor: Redactor, how: str, text: str) -> str:
    return getattr(redactor, how)(text)


@pytest.mark.parametrize(
    ("how", "text", "secret"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_secret_kinds_are_masked(how, text, secret):
    assert secret in text
    out = masked(Redactor(), how, text)
    assert secret not in out
    assert LABEL.search(out)


def test_harmless_neighbours_are_kept():
    redactor = Redactor()
    assert redactor.url("/b/k?X-Amz-Signature=0aa1&X-Amz-Date=20260101").endswith(
        "X-Amz-Date=20260101"
    )
    body = json.loads(redactor.body(json.dumps({"payload": "p1", "payload_content_type": "t"})))
    assert body["payload_content_type"] == "t"
    # A Keystone token object: only its id is secret, its catalog stays readable.
    token = {"token": {"id": "tok-id-1", "methods": ["password"], "user": {"name": "admin"}}}
    assert json.loads(redactor.body(json.dumps(token)))["token"]["user"]["name"] == "admin"
    assert redactor.url("/v2.0/images?signed=true") == "/v2.0/images?signed=true"


CUT_OR_DEEP = [
    ("cut", '{"token": {"id": "cut-token-id1", "expires_at": "2026"'),
    ("cut-inside-value", '{"token": {"id": "cut-token-id2'),
    ("cut-array", '{"auth": {"passwords": ["pw-in-list1", "pw-in'),
    ("deep", "[" * 300 + '{"token": {"id": "deep-token-id1"}}' + "]" * 300),
    ("deep-object", '{"a": ' * 250 + '{"secret": {"v": "deep-secret1"}}' + "}" * 250),
    ("escaped-in-text", 'Error: {\\"token\\": {\\"id\\": \\"esc-token-id1\\"}}'),
    ("not-json-prefix", 'response was: {"token": {"id": "prefixed-id1"}}'),
]


@pytest.mark.parametrize("text", [c[1] for c in CUT_OR_DEEP], ids=[c[0] for c in CUT_OR_DEEP])
def test_unparseable_json_is_still_masked_by_key(text):
    out = Redactor().body(text)
    for secret in (
        "cut-token-id",
        "pw-in-list1",
        "deep-token-id1",
        "deep-secret1",
        "esc-token-id1",
    ):
        assert secret not in out
    assert "prefixed-id1" not in out


def test_cut_json_keeps_everything_else():
    text = '{"token": {"id": "cut-token-id1", "expires_at": "2026", "user": {"id": "u1"'
    out = Redactor().body(text)
    assert out == text.replace("cut-token-id1", "<token-1>")


def test_long_secrets_are_remembered_where_they_recur():
    # Not PKI-shaped: found only because the header names it, then by value.
    long_token = "f0e1d2c3" * 800
    redactor = Redactor()
    first = redactor.header_value("X-Subject-Token", long_token)
    later = redactor.text(f"GET /v3/auth/tokens/check?x={long_token[:10]} then {long_token} x")
    assert long_token not in later
    assert first in later


def test_pki_tokens_by_shape():
    pki = "MIIRxQYJKoZIhvcNAQcCoIIRtjCCEbICAQExDTALBglghkgBZQMEAgEwgg" + "A-" * 3000
    out = Redactor().body("a log line with " + pki + " in it")
    assert pki[:200] not in out


@pytest.mark.parametrize(
    "text",
    [
        "X-Auth-Token: foldstart1\n  foldcontinued1\nAccept: */*",
        "X-Auth-Token: foldstart1\n\tfoldcontinued1\n\tfoldcontinued1b\nAccept: */*",
        "Cookie: a=foldstart1;\n b=foldcontinued1\n",
    ],
)
def test_folded_header_lines_are_masked_with_the_header(text):
    out = Redactor().text(text)
    assert "foldstart1" not in out and "foldcontinued1" not in out
    assert out.endswith(("Accept: */*", "\n"))


def test_labels_are_stable_across_kinds_of_place():
    redactor = Redactor()
    url = redactor.url(f"/b/k?AWSAccessKeyId={AKIA}&Signature=sig1value")
    body = redactor.body(json.dumps({"access": AKIA}))
    text = redactor.text(f"key {AKIA}")
    label = json.loads(body)["access"]
    assert label in url and label in text
    assert redactor.url(f"/b/k?AWSAccessKeyId={AKIA}&Signature=sig1value") == url


def test_echo_hides_secrets_and_their_pieces():
    redactor = Redactor()
    redactor.header_value("X-Auth-Token", "gAAAAABsecretfernetvalue" + "x" * 40)
    redactor.header_value("X-Auth-Token", "opaque-token-0123456789")
    echo = redactor.echo("opaque-token-0123456789 svc:keystone")
    assert "opaque" not in echo and echo.endswith("svc:keystone")
    assert "0123456" not in redactor.echo('header:"X-Auth-Token=token-01234567"')
    assert redactor.echo("status:500 svc:nova") == "status:500 svc:nova"


def test_grep_json_does_not_echo_a_secret_query(tmp_path, capsys):
    token = "opaque-token-0123456789abcdef"
    path = tmp_path / "t.log"
    path.write_text(
        "### (a) REQ >>> (b) : GET http://h/x\nX-Auth-Token: " + token + "\n"
        "X-Requestshook-Request-Id: 1\n\nnone\n\n\n"
        "### (a) RESP <<< (b) : 200 OK GET http://h/x\nX-Requestshook-Request-Id: 1\n\n"
        "none\n\n\n"
    )
    for query in (token, token[:12], f"header:X-Auth-Token={token}"):
        assert main(["grep", str(path), query, "--json", "--redact"]) == 0
        out = capsys.readouterr().out
        assert json.loads(out)["matches"]
        assert token[:12] not in out
    assert main(["export", str(path), "-f", "json", "--redact", "--filter", token + "x"]) == 1
    assert token not in capsys.readouterr().err
