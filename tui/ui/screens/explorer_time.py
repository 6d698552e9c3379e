"""The explorer's clock: the list's duration column and slow marks, `s` / `S` to the next or
previous slow exchange, `T` to choose what counts as slow. On a clockless trace every time
feature says why it is off. `ExplorerScreen` builds on this; the keys are in its BINDINGS."""

from __future__ import annotations

from tui.ui.screens.explorer_follow import ReadingScreen
from tui.views.timing import no_clock_reason, threshold_name


class TimedScreen(ReadingScreen):
    """Panes that know the trace's clock."""

    def relayout(self) -> None:
        """As `ReadingScreen.relayout`, and the list's durations and slow marks with it."""
        super().relayout()
        self.show_timing()

    def show_timing(self) -> None:
        """Give the list the duration column (with a clock) and the slow exchanges."""
        clock = self.state.clock
        slow = frozenset(self.state.slow.of(self.trace)) if clock else frozenset()
        self.exchange_list.set_timing(clock, slow)

    def time_feature_off(self, feature: str) -> bool:
        """True (and a notification saying why) when the trace has no clock for `feature`."""
        if self.state.clock:
            return False
        self.notify(no_clock_reason(self.trace, feature), severity="warning")
        return True

    def action_slow(self, step: int) -> None:
        """Select the next/previous slow exchange in list order (wrapping)."""
        if self.time_feature_off("Slow calls"):
            return
        target = self.state.slow_call(step)
        if target is None:
            name = threshold_name(self.state.slow.threshold)
            self.notify(f"No exchange {name} here (T sets the threshold).", timeout=4)
        else:
            self.select(target)

    def action_slow_threshold(self) -> None:
        """Choose what counts as slow: over the p95 of its endpoint, or over a fixed time."""
        if self.time_feature_off("The slow threshold"):
            return
        threshold = self.state.slow.cycle_threshold()
        self.show_timing()
        count = len(self.state.slow.of(self.trace))
        self.notify(f"Slow: {threshold_name(threshold)} ({count} exchanges).", timeout=3)
