"""`--redact` for every command: secrets in the output become stable labels (`<token-1>`)."""

from __future__ import annotations

import argparse
from typing import Any

from tui.model.trace import Trace
from tui.redact import Redactor


def add_redact_argument(parser: argparse.ArgumentParser) -> None:
    """Give a command the `--redact` flag."""
    parser.add_argument(
        "--redact", action="store_true", help="replace secrets with stable labels (<token-1>)"
    )


def redactor_for(args: argparse.Namespace, *traces: Trace) -> Redactor | None:
    """A redactor that has seen every secret of `traces` (labels numbered in file order), or
    None without `--redact`."""
    if not args.redact:
        return None
    redactor = Redactor()
    for trace in traces:
        redactor.learn(trace)
    return redactor


def redacted(redactor: Redactor | None, output: Any) -> Any:
    """Mask an output: parsed JSON-ready data as data (never as its text), text as text."""
    if redactor is None:
        return output
    return redactor.text(output) if isinstance(output, str) else redactor.data(output)


def echoed(redactor: Redactor | None, text: str) -> str:
    """Text the user typed (a query), as an output may repeat it: under `--redact`, without
    the secrets it names."""
    return text if redactor is None else redactor.echo(text)
