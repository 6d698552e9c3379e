"""The query language: fields, negation, quoting, smart case and errors with positions."""

from __future__ import annotations

import pytest

from tui.query.language import (
    FIELDS,
    TEXT,
    QueryError,
    StatusTest,
    has_capitals,
    literal_query,
    parse_query,
    parse_search,
)


def only_term(text: str):
    query = parse_query(text)
    assert len(query.terms) == 1, query
    return query.terms[0]


def error_of(text: str, parse=parse_query) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "field", "accepted", "refused"),
    [
        ("src:nova-api", "src", ["nova-api", "NOVA-API"], ["nova-api2", "nova"]),
        ("dst:neutron*", "dst", ["neutron-server", "neutron"], ["my-neutron"]),
        ("svc:keystone", "svc", ["keystone"], ["keystone2"]),
        ("method:POST", "method", ["POST", "post"], ["PUT"]),
        ("method:P*", "method", ["POST", "PUT", "PATCH"], ["GET"]),
    ],
)
def test_name_fields_are_case_insensitive_whole_name_globs(text, field, accepted, refused):
    term = only_term(text)
    assert term.field == field
    assert not term.negated
    assert all(term.glob.match(name) for name in accepted)
    assert not any(term.glob.match(name) for name in refused)


@pytest.mark.parametrize(
    ("value", "test", "accepted", "refused"),
    [
        ("5xx", StatusTest("class", 5), [500, 503, 599], [499, 600, None]),
        ("4XX", StatusTest("class", 4), [404], [500, None]),
        (">=400", StatusTest(">=", 400), [400, 503], [399, None]),
        (">400", StatusTest(">", 400), [401], [400]),
        ("<300", StatusTest("<", 300), [200, 299], [300, None]),
        ("<=300", StatusTest("<=", 300), [300], [301]),
        ("200", StatusTest("=", 200), [200], [201, None]),
        ("=204", StatusTest("=", 204), [204], [200]),
        ("none", StatusTest("none", 0), [None], [200, 500]),
    ],
)
def test_status_forms(value, test, accepted, refused):
    term = only_term(f"status:{value}")
    assert term.status == test
    assert all(term.status.accepts(status) for status in accepted)
    assert not any(term.status.accepts(status) for status in refused)


def test_terms_are_anded_and_bang_negates_one():
    query = parse_query("svc:keystone !status:>=400  adminPass")
    assert [(term.field, term.negated) for term in query.terms] == [
        ("svc", False),
        ("status", True),
        (TEXT, False),
    ]
    assert [term.source for term in query.terms] == ["svc:keystone", "!status:>=400", "adminPass"]


def test_header_name_and_name_equals_value():
    name_only = only_term("header:X-Auth-Token")
    assert name_only.field == "header"
    assert name_only.name == "X-Auth-Token"
    assert name_only.pattern is None
    assert name_only.glob.match("x-auth-token")
    assert not name_only.glob.match("X-Auth-Token-2")

    with_value = only_term('header:"Content-Type=application/json"')
    assert with_value.name == "Content-Type"
    assert with_value.pattern.text == "application/json"
    assert with_value.pattern.search("application/json; charset=UTF-8")
    assert with_value.glob.match("content-type")


def test_path_is_text_unless_it_has_glob_characters():
    text = only_term("path:/ports")
    assert text.pattern.search("/networking/v2.0/ports?device_id=x")
    glob = only_term("path:/v2/images/*")
    assert glob.pattern is None
    assert glob.glob.match("/v2/images/abc")
    assert not glob.glob.match("/image/v2/images/abc")
    regex = only_term("path:re:/ports/.*/bindings")
    assert regex.glob is None
    assert regex.pattern.is_regex


def test_quotes_keep_spaces_and_escape_quotes_and_backslashes():
    term = only_term(r'"say \"hi\" to C:\\dir"')
    assert term.field == TEXT
    assert term.pattern.text == 'say "hi" to C:\\dir'
    assert term.source == r'"say \"hi\" to C:\\dir"'
    assert only_term('body:"two words"').pattern.text == "two words"
    # A quote may open anywhere in a word; the word goes on after it closes.
    assert only_term('ab"c d"e').pattern.text == "abc de"


def test_quoting_a_field_name_makes_it_text():
    term = only_term('"src:nova"')
    assert term.field == TEXT
    assert term.pattern.text == "src:nova"


def test_bare_words_are_text_and_urls_are_not_fields():
    assert only_term("http://host/identity").field == TEXT
    assert only_term("X-Auth-Token:").field == TEXT


def test_smart_case():
    assert only_term("keystone").pattern.ignore_case
    assert not only_term("Keystone").pattern.ignore_case
    assert only_term("keystone").pattern.search("KeyStone")
    assert not only_term("Keystone").pattern.search("keystone")
    # Escapes such as \S or \W are not capitals.
    assert only_term(r"re:\S+-\W").pattern.ignore_case
    assert not only_term(r"re:\S+X").pattern.ignore_case
    assert has_capitals("aB", is_regex=False)
    assert not has_capitals(r"\D\d", is_regex=True)


def test_regex_prefix_and_multiline_anchors():
    term = only_term(r"re:^X-Subject-Token:\s+gAAAA")
    assert term.pattern.is_regex
    assert term.pattern.search("Vary: x\nX-Subject-Token: gAAAAB")
    assert only_term("body:re:admin.ass").pattern.is_regex
    assert only_term("header:X-Foo=re:^a+$").pattern.is_regex
    # A quoted `re:` is text.
    assert not only_term('"re:abc"').pattern.is_regex


def test_empty_query_has_no_terms():
    assert parse_query("").is_empty
    assert parse_query("   ").is_empty
    assert parse_search("").is_empty


def test_search_bar_takes_the_whole_text_as_one_term():
    query = parse_search("svc:keystone two words")
    assert len(query.terms) == 1
    assert query.terms[0].field == TEXT
    assert query.terms[0].pattern.text == "svc:keystone two words"
    regex = parse_search("re:req-[0-9a-f]+")
    assert regex.terms[0].pattern.is_regex
    assert regex.terms[0].pattern.text == "req-[0-9a-f]+"


def test_literal_query_is_exact_and_case_sensitive():
    query = literal_query("gAAAAB.x")
    pattern = query.terms[0].pattern
    assert not pattern.ignore_case
    assert pattern.search("token gAAAAB.x here")
    assert not pattern.search("gaaaab.x")
    assert not pattern.search("gAAAABzx")


def test_highlight_patterns_are_those_of_positive_terms():
    query = parse_query("alpha !beta body:gamma header:X=delta svc:nova")
    assert [pattern.text for pattern in query.highlight_patterns] == ["alpha", "gamma", "delta"]


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("svc:keystone foo:bar", 13, ["unknown field", "foo:"]),
        ("status:abc", 7, ["bad status", "abc"]),
        ("status:>=4", 7, ["bad status"]),
        ("status:6xxx", 7, ["bad status"]),
        ('src:nova "abc', 9, ["unterminated quote"]),
        ('body:"abc', 5, ["unterminated quote"]),
        ("x re:a(b", 6, ["invalid regex"]),
        ("re:[0-9", 3, ["invalid regex"]),
        ('body:re:"a b("', 12, ["invalid regex"]),
        ("header:X=re:(", 12, ["invalid regex"]),
        ("src:", 0, ["src:", "needs a value"]),
        ("a !status:", 3, ["status:", "needs a value"]),
        ("header:=x", 7, ["needs a name"]),
        ("header:X=", 9, ["needs a value"]),
        ("a ! b", 2, ["`!`"]),
        ("!!a", 0, ["negate"]),
        ('a ""', 2, ["empty quotes"]),
        ("re:", 3, ["needs a regular expression"]),
    ],
)
def test_errors_say_what_and_where(text, position, words):
    error = error_of(text)
    assert error.position == position
    assert all(word in error.message for word in words), error.message
    assert "\n" not in error.message
    assert str(error) == error.message


def test_unknown_field_message_lists_the_fields():
    message = error_of("foo:bar").message
    assert all(field in message for field in FIELDS)


def test_search_bar_reports_an_invalid_regex_with_its_position():
    error = error_of("re:ab(c", parse_search)
    assert error.position == 5
    assert "invalid regex" in error.message
    assert error_of("re:", parse_search).position == 3
