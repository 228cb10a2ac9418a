"""Sections of snippet modules: the text between ``# --8<-- [start:x]`` and
``# --8<-- [end:x]``, as pymdownx.snippets includes them."""

import re
from pathlib import Path

START = re.compile(r"^\s*# --8<-- \[start:(?P<name>[\w-]+)\]\s*$")
END = re.compile(r"^\s*# --8<-- \[end:(?P<name>[\w-]+)\]\s*$")


def sections(path: Path) -> dict[str, str]:
    """Every section of a module by name; malformed markers raise."""
    found: dict[str, list[str]] = {}
    open_: list[str] = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if m := START.match(line):
            if m["name"] in found:
                raise ValueError(f"{path}:{n}: section {m['name']} twice")
            open_.append(m["name"])
            found[m["name"]] = []
        elif m := END.match(line):
            if not open_ or open_.pop() != m["name"]:
                raise ValueError(f"{path}:{n}: [end:{m['name']}] does not "
                                 f"close the open section")
        else:
            for name in open_:
                found[name].append(line)
    if open_:
        raise ValueError(f"{path}: sections left open: {open_}")
    return {name: "\n".join(lines) for name, lines in found.items()}
