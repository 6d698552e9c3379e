"""`tracetui stats` counts a clean body.md without indexing it (`file_stats`); its figures
must be exactly those of the full reader (`trace_stats`) on every input, whether the second
part of the file is read by a forked process or not."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests import hostile
from tests.benchmarks.generate import generate
from tests.conftest import SAMPLES, TRACE_FILES
from tui.query.stats import file_stats, trace_stats
from tui.readers import TraceError, read_trace, tally


def assert_same_figures(path: Path) -> None:
    """Same figures, or the same error for a file that is not a trace."""
    try:
        expected = trace_stats(read_trace(str(path)))
    except TraceError as error:
        with pytest.raises(TraceError, match=re.escape(str(error))):
            file_stats(str(path))
        return
    assert file_stats(str(path)) == expected


@pytest.mark.parametrize("path", TRACE_FILES, ids=lambda path: path.name)
def test_samples(path: Path) -> None:
    assert_same_figures(path)


@pytest.mark.parametrize("name", sorted(hostile.CASES))
def test_hostile_cases(name: str, tmp_path: Path) -> None:
    path = tmp_path / "case"
    path.write_bytes(hostile.CASES[name]().data)
    assert_same_figures(path)


@pytest.mark.parametrize("kind", sorted(hostile.PER_SAMPLE))
def test_broken_samples(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "case.md"
    path.write_bytes(hostile.PER_SAMPLE[kind](hostile.MD_SAMPLE).data)
    assert_same_figures(path)


def test_cuts_inside_and_between_records(tmp_path: Path) -> None:
    data = hostile.sample("server-create.md")
    path = tmp_path / "cut.md"
    for _, cut in hostile.cuts(data):
        path.write_bytes(data[:cut])
        assert_same_figures(path)


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every file is big enough to fork for; the list counts the forks made."""
    made: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        made.append(1)
        return real_fork()

    monkeypatch.setattr(tally, "PARALLEL_TALLY", 0)
    monkeypatch.setattr(os, "fork", counting_fork)
    return made


def test_a_forked_reader_gives_the_same_figures(forks: list[int], tmp_path: Path) -> None:
    path = generate(tmp_path / "big.md", 600_000, source=SAMPLES / "server-create.md")
    assert_same_figures(path)
    assert forks, "the second part of the file was read by a forked process"


@pytest.mark.parametrize("drop", ["request", "response"])
def test_a_forked_reader_meets_a_lost_record(drop: str, forks: list[int], tmp_path: Path) -> None:
    """A lost request makes the reader warn (the fast path gives up); a lost response only
    leaves a request unanswered (the fast path reports it)."""
    path = generate(tmp_path / "big.md", 600_000, source=SAMPLES / "server-create.md")
    data = path.read_bytes()
    # A record late in the file, in the part the forked process reads.
    headings = [m.start() for m in hostile.heading_pattern(data).finditer(data)]
    late = next(
        start
        for start in reversed(headings)
        if hostile.is_request(data[start:]) == (drop == "request")
    )
    end = hostile.record_end(data, late, len(data))
    path.write_bytes(data[:late] + data[end:])
    assert read_trace(str(path)).warnings, "the file is not clean any more"
    assert_same_figures(path)
    assert forks
