"""Request ids: the `reqid:` filter term, and RPC roots attached under their API call."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.cli import main
from tui.query.language import parse_query
from tui.query.match import matches
from tui.query.request_ids import RequestIds, request_id, rpc_parents
from tui.query.search import all_matches
from tui.readers.calltree import is_rpc_root
from tui.readers.reader import read_trace

SAMPLES = Path(__file__).parent.parent / "sample_traces"
BOOT = "req-9c0dd7d2-2994-47f8-bcf3-39c502f4827b"


@pytest.fixture(scope="module")
def trace():
    return read_trace(str(SAMPLES / "server-create.md"))


def test_reqid_term_parses_as_a_text_pattern():
    term = parse_query("reqid:req-9c0d").terms[0]
    assert term.field == "reqid"
    assert term.pattern is not None and term.pattern.search(BOOT)


def test_reqid_matches_every_exchange_carrying_the_id(trace):
    query = parse_query(f"reqid:{BOOT}")
    found = [e.index for e in trace.exchanges if matches(trace, query, e)]
    # The calls nova-api, nova-scheduler and nova-compute made for the boot send it.
    assert found == [i for i, e in enumerate(trace.exchanges) if request_id(trace, e) == BOOT]
    assert {trace.exchanges[i].request.src for i in found} == {
        "nova-api",
        "nova-scheduler",
        "nova-compute",
    }
    # The id is only in headers: the word alone is not looked up by field.
    assert not matches(trace, parse_query("reqid:nova-api"), trace.exchanges[10])


def test_reqid_scan_agrees_with_the_decoded_check(trace):
    for text in (f"reqid:{BOOT}", "reqid:req-", "!reqid:req- method:GET", "reqid:re:^req-8"):
        query = parse_query(text)
        scanned = all_matches(trace, query)
        decoded = [e.index for e in trace.exchanges if matches(trace, query, e)]
        assert scanned == decoded, text


def test_grep_takes_reqid(capsys):
    status = main(["grep", str(SAMPLES / "server-create.md"), f"reqid:{BOOT}", "--json"])
    assert status == 0
    assert capsys.readouterr().out.count('"index"') == 19


def test_api_call_of_an_id_is_the_call_its_senders_were_handling(trace):
    ids = RequestIds()
    ids.catch_up(trace)
    owners = ids.owners
    assert ids.ids == [request_id(trace, e) for e in trace.exchanges]
    # nova-api sent the boot's id while handling POST /servers (#9), which answered none.
    assert owners[BOOT] == 9
    assert trace.exchanges[9].request.target.endswith("/servers")
    # glance answered its own id to the client's GET /v2/images (#3).
    assert owners["req-82240617-44be-46de-b9d9-f2e5ab0d7706"] == 3


def test_rpc_roots_of_the_boot_join_the_post_servers_tree(trace):
    attached = rpc_parents(trace)
    boot_rpc = [
        e.index
        for e in trace.exchanges
        if is_rpc_root(e, trace.root_service) and request_id(trace, e) == BOOT
    ]
    assert boot_rpc and all(attached[index] == 9 for index in boot_rpc)
    assert {trace.exchanges[i].request.src for i in boot_rpc} == {"nova-scheduler", "nova-compute"}
    # Only RPC roots move, each under an earlier call: the tree stays a tree.
    for child, owner in attached.items():
        assert trace.exchanges[child].parent is None and owner < child
    # A root carrying an id no API call in the trace has stays a root.
    assert 29 not in attached and 54 not in attached


@pytest.mark.parametrize("batch", [300, 2_000, 9_000])
def test_request_ids_read_batch_by_batch_equal_those_of_the_whole(trace, batch):
    from tui.readers import TraceReader

    reader = TraceReader(str(SAMPLES / "server-create.md"))
    grown = RequestIds()
    while not reader.read_batch(batch):
        grown.catch_up(reader.trace)
    grown.catch_up(reader.trace)
    whole = RequestIds()
    whole.catch_up(trace)
    assert (grown.ids, grown.owners, grown.attached) == (whole.ids, whole.owners, whole.attached)


def test_explorer_state_groups_by_request_id_and_hangs_rpc_under_the_api_call():
    from tui.readers import TraceReader
    from tui.views.explorer_state import ExplorerState
    from tui.views.list_rows import BY_REQUEST, BY_TREE

    reader = TraceReader(str(SAMPLES / "server-create.md"))
    reader.read_all()
    state = ExplorerState(reader)
    assert state.cycle_grouping() == "call tree"
    tree = state.list_layout()
    assert tree.mode == BY_TREE
    depth = {row.exchange: row.depth for row in tree.rows}
    assert depth[21] == depth[9] + 1 and depth[24] == depth[9] + 1
    state.cycle_grouping()
    assert state.cycle_grouping() == "request id"
    groups = state.list_layout().groups
    assert state.list_layout().mode == BY_REQUEST
    assert [len(g.members) for g in groups if g.src == BOOT] == [19]
    # Collapsing a request-id group hides its members as a pair group's would.
    state.toggle_group((BOOT, ""), collapse=True)
    shown = {row.exchange for row in state.list_layout().rows}
    assert not shown & set(next(g.members for g in groups if g.src == BOOT))
