"""The `bcfc` command as installed.

`bcfc validate` with paths and no options (how a pre-commit hook or an editor calls it, on every commit or
save) is run without importing click, which costs as much as checking a plan; any other command line,
an option anywhere included, is click's to read, so both ways take the same arguments to the same code.
"""
from __future__ import annotations

import os
import sys


def main():
    args = sys.argv[1:]
    if args[:1] == ["validate"] and not any(arg.startswith("-") for arg in args[1:]):
        from bcfc.checking import validate_command

        guarded(lambda: sys.exit(validate_command(args[1:])))
    from bcfc.cli import cli

    guarded(cli)


def guarded(command):
    """Run a command; a bug in bcfc, not in the plan, is said plainly, without a traceback."""
    try:
        command()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as err:
        if os.environ.get("BCFC_DEBUG"):
            raise
        print(f"bcfc: internal error: {type(err).__name__}: {err} (set BCFC_DEBUG=1 for details)", file=sys.stderr)
        sys.exit(2)
