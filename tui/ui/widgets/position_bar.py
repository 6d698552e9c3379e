"""The position bar each view draws in its last column: where the rows on screen sit among all.

Plain geometry and segments, no widget: the views put one cell of it at the end of each line
(Textual's scrollbar widget repainted and restyled its whole column on every scroll).
"""

from __future__ import annotations

from math import ceil

from rich.segment import Segment
from rich.style import Style

# Lower eighths of a cell, for the ends of the thumb.
EIGHTHS = "▁▂▃▄▅▆▇"


def thumb_cells(track: int, total: int, position: int) -> dict[int, tuple[str, bool]]:
    """The cells of a vertical position bar `track` cells tall that the thumb covers, when
    rows `position` to `position + track` of `total` are on screen, as
    `{cell: (glyph, glyph drawn in the thumb's colour)}`: whole cells are a blank on the thumb's
    colour, its ends eighths of a cell (as Textual's scrollbar draws them). Empty when every
    row fits."""
    if track <= 0 or total <= track:
        return {}
    size = max(1.0, track * track / total)
    offset = min(max(0.0, (track - size) * position / (total - track)), track - size)
    start = int(offset * 8)
    first, first_eighths = divmod(start, 8)
    last, last_eighths = divmod(start + ceil(size * 8), 8)
    cells = {cell: (" ", False) for cell in range(first, min(last, track))}
    if first_eighths and first < track:
        # The thumb starts partway down this cell: the glyph's lower part is the thumb.
        cells[first] = (EIGHTHS[7 - first_eighths], True)
    if last_eighths and last < track:
        # It ends partway down this one: the glyph's lower part is the track.
        cells[last] = (EIGHTHS[7 - last_eighths], False)
    return cells


def bar_cells(
    track: int,
    total: int,
    position: int,
    track_style: Style,
    thumb: Segment,
    ends: tuple[Style, Style],
) -> list[Segment]:
    """One segment per cell of the bar: the track, whole thumb cells, and the thumb's ends
    (`ends`: the glyph in the track's colour, in the thumb's)."""
    cells = [Segment(" ", track_style)] * track
    for line, (glyph, in_thumb_colour) in thumb_cells(track, total, position).items():
        cells[line] = Segment(glyph, ends[in_thumb_colour]) if glyph != " " else thumb
    return cells
