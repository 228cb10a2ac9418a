"""The examples of a page: its executed code blocks, how they chain, and
the content key of each.

A page shows code in markdown-exec fences (```` ```python exec="on" ````).
The blocks are found by converting the page's Markdown with the site's own
extensions, with the Python fence formatter swapped for one that records
each block: so a block's code is exactly what the build shows and runs
(its ``--8<--`` includes expanded by pymdownx.snippets), with the title of
the tab it sits in, in page order.

A block may need earlier blocks of its page. Its title says so, and the
reader sees it: ``train.py — run after backprop.py``. A block runs after
the blocks it names and what they need, in page order, in a fresh
interpreter; a block that names none runs alone. The blocks of a page form
trees: a root block and the blocks that run after it.

A block's lines that end in ``# markdown-exec: hide`` are build-only
(the figure helper): the reader never sees them, and they must come at the
start or at the end of the block.
"""

import ast
import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from bs4 import BeautifulSoup

from tools import ROOT

HIDE = "markdown-exec: hide"
RUN_AFTER = re.compile(r"run after (.+)$")
PROJECT_PACKAGES = ("tools", "snippets", "explorers", "tests",
                    "notebooks")

# make mutants mutates the content keys below, not the reading of blocks
# pragma: no mutate start


class ExampleError(ValueError):
    """A page's blocks are not well formed."""


@dataclass
class Block:
    page: str  # the page's source path under docs/, e.g. "glossary/x.md"
    index: int  # position among the page's executed blocks, page order
    code: str  # the fence's code, includes expanded, hidden lines too
    options: dict  # markdown-exec's options (source, result, html, ...)
    tab: str = ""  # the title of the tab it sits in, if any
    needs: list[str] = field(default_factory=list)  # names it runs after

    @property
    def title(self) -> str:
        return self.options.get("extra", {}).get("title", "")

    @property
    def name(self) -> str:
        """The file name that starts the title (``train.py``)."""
        return self.title.split()[0] if self.title else (
            f"block{self.index + 1}.py")

    @property
    def shown(self) -> bool:
        """False for build-only code that the page does not show."""
        return bool(self.options.get("source"))

    def parts(self) -> tuple[str, str, str]:
        """(prelude, visible, epilogue): the hidden lines before and after
        the code the reader sees. A block the page does not show is all
        hidden (build-only)."""
        lines = self.code.split("\n")
        if not self.shown:
            return self.code, "", ""
        hidden = [HIDE in line for line in lines]
        start = 0
        while start < len(lines) and hidden[start]:
            start += 1
        end = len(lines)
        while end > start and hidden[end - 1]:
            end -= 1
        if any(hidden[start:end]):
            raise ExampleError(
                f"{self}: hidden lines (# {HIDE}) must come before or "
                f"after the code the reader sees, not among it")
        visible = "\n".join(lines[start:end]).strip()
        return ("\n".join(lines[:start]),
                # what markdown-exec shows, and the copy button copies
                visible + "\n" if visible else "",
                "\n".join(lines[end:]))

    @property
    def visible(self) -> str:
        return self.parts()[1]

    def __str__(self) -> str:
        title = self.title or "untitled"
        return f"{self.page}, block {self.index + 1} ({title})"


def needs(title: str) -> list[str]:
    """The names a title says its block runs after."""
    m = RUN_AFTER.search(title)
    if not m:
        return []
    return [n for n in re.split(r",\s*|\s+and\s+", m.group(1).strip()) if n]


def _placeholder(n: int) -> str:
    return f'<div data-hpe-block="{n}"></div>'


def collect(text: str, page: str, extensions: list, configs: dict
            ) -> list[Block]:
    """Every executed Python block of a page's Markdown, in page order."""
    found: list[tuple[str, dict]] = []

    def record(source, language, css_class, options, md, **kwargs):
        found.append((source, options))
        return _placeholder(len(found) - 1)

    configs = copy.deepcopy(configs)
    fences = configs.get("pymdownx.superfences", {}).get("custom_fences", [])
    for fence in fences:
        if fence.get("name") == "python":
            fence["format"] = record
    html = markdown.Markdown(extensions=extensions,
                             extension_configs=configs).convert(text)
    if not found:
        return []
    soup = BeautifulSoup(html, "html.parser")
    blocks = []
    for el in soup.select("div[data-hpe-block]"):
        source, options = found[int(el["data-hpe-block"])]
        if options.get("session"):
            raise ExampleError(
                f"{page}: session={options['session']!r}: blocks do not "
                f"share state by session here; a block's title says what "
                f"it runs after (\"x.py — run after y.py\")")
        block = Block(page=page, index=len(blocks), code=source,
                      options=options, tab=_tab(el))
        block.needs = needs(block.title)
        blocks.append(block)
    if len(blocks) != len(found):
        raise ExampleError(f"{page}: found {len(found)} blocks, placed "
                           f"{len(blocks)}")
    return blocks


def _tab(el) -> str:
    """The label of the content tab (pymdownx.tabbed) around `el`."""
    block = el.find_parent("div", class_="tabbed-block")
    if block is None:
        return ""
    content = block.parent
    position = content.find_all("div", class_="tabbed-block",
                                recursive=False).index(block)
    labels = content.find_previous_sibling("div", class_="tabbed-labels")
    if labels is None:
        return ""
    found = labels.find_all("label", recursive=False)
    return found[position].get_text(strip=True) if position < len(
        found) else ""


def chains(blocks: list[Block]) -> dict[int, list[Block]]:
    """For every block, the blocks it runs after (and what they need) and
    itself, in page order."""
    out = {}
    for block in blocks:
        by_name = {}
        for earlier in blocks[: block.index]:
            by_name.setdefault(earlier.name, earlier)
        wanted, todo = {block.index}, list(block.needs)
        while todo:
            name = todo.pop()
            if name not in by_name:
                raise ExampleError(
                    f"{block} runs after {name!r}, which is not an earlier "
                    f"block of the page")
            dep = by_name[name]
            if dep.index not in wanted:
                wanted.add(dep.index)
                todo.extend(dep.needs)
        out[block.index] = [b for b in blocks if b.index in wanted]
    return out


def check_chains(blocks: list[Block]) -> dict[int, list[Block]]:
    """The chains, with every block's code split into its parts (which
    checks where its hidden lines are)."""
    for block in blocks:
        block.parts()
    return chains(blocks)


# pragma: no mutate end
# --- content keys ---------------------------------------------------------


def _module_file(name: str, root: Path) -> Path | None:
    parts = name.split(".")
    if parts[0] not in PROJECT_PACKAGES:
        return None
    base = root.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def project_imports(code: str, root: Path = ROOT) -> set[Path]:
    """The repository's files that `code` imports, and what they import,
    found by reading their import statements (not by running them)."""
    seen: set[Path] = set()
    todo = [code]
    while todo:
        source = todo.pop()
        for node in ast.walk(ast.parse(source)):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.level:
                    continue  # relative imports: the same package
                names = [node.module] + [f"{node.module}.{a.name}"
                                         for a in node.names]
            for name in names:
                parts = name.split(".")
                # a package's __init__ runs when a submodule is imported
                for k in range(1, len(parts) + 1):
                    file = _module_file(".".join(parts[:k]), root)
                    if file is not None and file not in seen:
                        seen.add(file)
                        todo.append(file.read_text())
    return seen


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def imports_torch(*sources: str) -> bool:
    """Whether any of `sources` imports torch (read, not run)."""
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            if any(n.split(".")[0] == "torch" for n in names):
                return True
    return False


def key(kind: str, chain: list[Block], env: dict, root: Path = ROOT
        ) -> str:
    """The content key of a chain's last block: everything that can change
    what it prints. The environment's torch part (tools/environment.py)
    counts only when the chain, or a project file its hidden lines import,
    imports torch."""
    hidden = "\n".join(p for b in chain for p in b.parts()[::2] if p)
    files = sorted(project_imports(hidden, root))
    deps = {str(f.relative_to(root)): _digest(f.read_bytes())
            for f in files}
    if not imports_torch(*(b.code for b in chain),
                         *(f.read_text() for f in files)):
        env = {k: v for k, v in env.items() if k != "torch"}
    payload = {
        "kind": kind,
        "code": [b.parts() for b in chain],
        "names": [b.name for b in chain],
        "deps": deps,
        "env": env,
    }
    return _digest(json.dumps(payload, sort_keys=True).encode())
