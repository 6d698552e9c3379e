"""The screens worth a picture: shared by the snapshot tests and screenshots/generate.py.

Each scene says what the picture must show, so a reviewer of a changed snapshot knows what to
look for.
"""

from __future__ import annotations

from typing import NamedTuple

from tests.conftest import SAMPLES


class Scene(NamedTuple):
    """A trace (or two), a terminal size, keys to press, and what the picture must show."""

    name: str
    traces: tuple[str, ...]
    size: tuple[int, int]
    keys: tuple[str, ...]
    shows: str

    def paths(self) -> list[str]:
        """The sample traces as paths."""
        return [str(SAMPLES / name) for name in self.traces]


SCENES = (
    Scene(
        "explorer-wide",
        ("server-create.md",),
        (200, 50),
        ("down",) * 12,
        "All three panes: groups with counts, lanes with arrows and activation bars, and the "
        "detail of POST /compute/v2.1/servers (#9) with its JSON request body highlighted.",
    ),
    Scene(
        "explorer-160",
        ("server-create.md",),
        (160, 50),
        ("g",),
        "Three panes at 160 columns, the list grouped by call tree (nova-api's calls nested "
        "under the server create, RPC-driven roots marked ⚡).",
    ),
    Scene(
        "narrow-list",
        ("server-create.md",),
        (80, 24),
        (),
        "80x24: only the exchange list, the header saying which pane is shown ([1]list).",
    ),
    Scene(
        "narrow-lanes",
        ("server-create.md",),
        (80, 24),
        ("2",),
        "80x24: only the lanes, abbreviated lane names in a header that stays on screen.",
    ),
    Scene(
        "narrow-detail",
        ("server-create.md",),
        (80, 24),
        ("down", "enter"),
        "80x24: the detail of the token request: headers, then the JSON body.",
    ),
    Scene(
        "failure",
        ("server-create-run2.md",),
        (160, 50),
        ("right_square_bracket",),
        "`]` jumped to the planted 500 on GET /networking/v2.0/ports: red status in the list, "
        "a heavy arrow back in the lanes, the error body in the detail.",
    ),
    Scene(
        "diff-wide",
        ("server-create.md", "server-create-run2.md"),
        (200, 50),
        ("right_square_bracket",) * 4,
        "The diff of two boots: summary and masking rules in the header, the aligned list with "
        "= ~ + - markers, and the PUT whose request body changed: `port.dns_name` listed with "
        "both values and marked in both sides.",
    ),
    Scene(
        "diff-narrow",
        ("server-create.md", "server-create-run2.md"),
        (80, 24),
        ("right_square_bracket", "right_square_bracket", "2"),
        "80x24 diff: the changed status (200 -> 500) with both exchanges stacked.",
    ),
    Scene(
        "help",
        ("server-create.md",),
        (100, 40),
        ("question_mark",),
        "The help screen listing every key, generated from the bindings.",
    ),
    Scene(
        "durations",
        ("osc-server-create.logfile.log",),
        (200, 50),
        ("g", "g", "T", "s"),
        "A timed trace (openstack --log-file), the list flat with a right-aligned duration "
        "column; with the slow threshold at 1 ms (T) the calls over it carry ▲ and `s` "
        "selected the first after #0.",
    ),
)
