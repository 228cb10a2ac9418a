"""Sections of snippet modules (``# --8<-- [start:x]`` ... ``[end:x]``),
read by pymdownx.snippets itself, configured as the site configures it
(``dedent_subsections``): what a notebook story or a test gets for a
section is exactly what a page shows.

pymdownx.snippets ignores a marker that does not pair up; here a section
that starts twice, ends without starting or never ends is an error.
"""

import functools
from pathlib import Path

import markdown


@functools.cache
def _snippets():
    """The site's pymdownx.snippets preprocessor."""
    md = markdown.Markdown(extensions=["pymdownx.snippets"],
                           extension_configs={"pymdownx.snippets": {
                               "check_paths": True,
                               "dedent_subsections": True}})
    return md.preprocessors["snippet"]


def sections(path: Path) -> dict[str, str]:
    """Every section of a module by name, as a page includes it."""
    snippets = _snippets()
    lines = Path(path).read_text().splitlines()
    names: list[str] = []
    open_: list[str] = []
    for n, line in enumerate(lines, 1):
        m = snippets.match_section(line)
        if m is None or m.group("escape"):
            continue
        name = m.group("name")
        if m.group("type") == "start":
            if name in names:
                raise ValueError(f"{path}:{n}: section {name} twice")
            names.append(name)
            open_.append(name)
        elif not open_ or open_.pop() != name:
            raise ValueError(f"{path}:{n}: [end:{name}] does not close the "
                             f"open section")
    if open_:
        raise ValueError(f"{path}: sections left open: {open_}")
    return {name: "\n".join(snippets.extract_section(name, lines))
            for name in names}
