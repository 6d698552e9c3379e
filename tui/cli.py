"""The `tracetui` command line: the explorer, the diff screen and the non-interactive commands."""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from tui import __version__
from tui.crash import write_crash_log
from tui.readers import TraceError
from tui.readers.registry import by_name, names
from tui.text.sanitize import visible_line

# Subcommand name -> module with `add_parser(subparsers)` and `run(args)`. Imported only when
# invoked, so `tracetui stats` on a big file does not pay for importing the others (or Textual).
COMMANDS: dict[str, str] = {
    "stats": "tui.commands.stats",
    "grep": "tui.commands.grep",
    "diff": "tui.commands.diff",
    "export": "tui.commands.export",
    "sql": "tui.commands.sql",
}

EXIT_TROUBLE = 2
EXIT_CRASH = 70


def demo_trace() -> str:
    """The bundled sample opened by a bare `tracetui`."""
    from importlib.resources import files

    return str(files("tui") / "demo" / "server-create.md")


def _explorer_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tracetui",
        description="Explore a requestshook trace (one file) or diff two runs (two files).",
        epilog="commands: " + ", ".join(f"tracetui {name} --help" for name in COMMANDS),
    )
    parser.add_argument("files", nargs="*", help="body.md or requestshook.log (none: demo)")
    parser.add_argument(
        "--redact", action="store_true", help="show secrets as stable labels (<token-1>)"
    )
    parser.add_argument(
        "--follow", action="store_true", help="keep reading a trace that is still written"
    )
    _add_format_argument(parser)
    parser.add_argument("--version", action="version", version=f"tracetui {__version__}")
    return parser


def _add_format_argument(parser: argparse.ArgumentParser) -> None:
    """`--format NAME` (also spelled `--input-format`): read in this format, not the detected
    one. `export` already takes `--format` for what it writes: there only `--input-format`."""
    flags: tuple[str, ...] = ("--format", "--input-format")
    help = (
        "read the traces in this format, not the one their content shows ("
        + ", ".join(names())
        + ")"
    )
    try:
        parser.add_argument(*flags, dest="input_format", metavar="NAME", help=help)
    except argparse.ArgumentError:
        parser.add_argument(flags[1], dest="input_format", metavar="NAME", help=help)


def _command_parser(name: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tracetui")
    subparsers = parser.add_subparsers(dest="command", required=True)
    import_module(COMMANDS[name]).add_parser(subparsers)
    _add_format_argument(subparsers.choices[name])
    return parser


def _check_format(args: argparse.Namespace) -> argparse.Namespace:
    """`args`, once its `--format` is known to name a format (`TraceError` if not)."""
    if args.input_format is not None:
        by_name(args.input_format)
    return args


def _run_explorer(args: argparse.Namespace) -> int:
    files = args.files or [demo_trace()]
    if len(files) > 2:
        print("tracetui: give one trace to explore or two to diff", file=sys.stderr)
        return EXIT_TROUBLE
    from tui.ui.app import run_app

    if args.follow and len(files) != 1:
        print("tracetui: --follow takes one trace", file=sys.stderr)
        return EXIT_TROUBLE
    return run_app(files, redact=args.redact, follow=args.follow, format_name=args.input_format)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] in COMMANDS:
            args = _check_format(_command_parser(argv[0]).parse_args(argv))
            return int(args.run(args))
        return _run_explorer(_check_format(_explorer_parser().parse_args(argv)))
    except TraceError as error:
        print(f"tracetui: {error}", file=sys.stderr)
        return EXIT_TROUBLE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `tracetui stats f | head`: the reader went away, which is not an error.
        sys.stderr.close()
        return 0
    except Exception as error:
        log = write_crash_log(error)
        summary = visible_line(f"{type(error).__name__}: {error}")[:200]
        print(f"tracetui: internal error ({summary}); details in {log}", file=sys.stderr)
        return EXIT_CRASH
