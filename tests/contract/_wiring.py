"""Where the create request's fields must be wired, and which of them are not (used by the tests).

Run as a script (``python tests/contract/_wiring.py``) it prints one line per
place a field of the generated models is missing from, and exits 1 when
there is any. The scratch-spec test runs it against freshly generated models.
"""

from __future__ import annotations

import argparse
import sys

from wan_r2v._core._create_body import CreateParams
from wan_r2v._core._fields import request_fields
from wan_r2v.cli._args import build_parser


def _cli_dests(command: str) -> set[str]:
    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {action.dest for action in subs.choices[command]._actions}


def unwired() -> list[str]:
    """One line per (field, place) where a field of the generated models is not wired."""
    problems: list[str] = []
    params = set(CreateParams.__annotations__)
    cli = {command: _cli_dests(command) for command in ("create", "generate")}
    for field in request_fields():
        if field.name not in params:
            problems.append(
                f"{field.name}: add it to CreateParams in src/wan_r2v/_core/_create_body.py "
                "(the create()/generate()/build_request() keyword arguments)"
            )
        for command, dests in cli.items():
            if field.name not in dests:
                problems.append(
                    f"{field.name}: add a flag ({field.flag}, dest={field.name!r}) in "
                    f"_add_create_fields, src/wan_r2v/cli/_args.py (wan-r2v {command})"
                )
    return problems


if __name__ == "__main__":
    found = unwired()
    print("\n".join(found) if found else "every request field is wired")
    sys.exit(1 if found else 0)
