"""What the site's examples printed, for tests: read from the execution
cache instead of running them again.

    from tools.records import output
    text = output("glossary/momentum.md", "digits_momentum.py")

returns what the block whose title starts with ``digits_momentum.py``
printed on that page, as the page shows it. The record is the one the
build wrote (its content key covers the code, what it imports and the
environment, so it is never stale); if there is none yet, the page's
missing examples run first, once, exactly as the build runs them.
"""

import functools
import json
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.utils.meta import get_data

from tools import ROOT, environment, execute, glue, notebooks
from tools.cache import Cache
from tools.environment import environment_key


@functools.cache
def _config(root: Path = ROOT):
    """The site's configuration, as the build sees it when it collects
    blocks (markdown-exec's fences registered). pymdownx.snippets'
    base_path is "." in mkdocs.yml (the build runs in the repository);
    here it is made absolute, so tests work from any folder."""
    config = load_config(str(root / "mkdocs.yml"))
    snippets = config.mdx_configs["pymdownx.snippets"]
    snippets["base_path"] = [str(root / p) for p in snippets["base_path"]]
    return config.plugins.on_config(config)


_plans = execute.Memo()  # memo -> a plan, its records filled in


def plan(page: str, root: Path = ROOT, setting: str | None = None
         ) -> execute.PagePlan:
    """The page's plan, every record filled in (run first if missing);
    under a named kernel setting (tools/environment.py), or as the
    environment is. Kept for the process, by a digest of everything its
    keys depend on (a record is found by its content key, so a plan whose
    keys did not change has the same records): a test module reads a page
    dozens of times."""
    config = _config(root)
    overrides = environment.setting(setting)
    env = environment_key(root, overrides)
    body, _ = get_data((root / "docs" / page).read_text())
    cache, sources = Cache(), execute.sources_digest(root)
    memo = execute.digest(page, body, sources, json.dumps(env, sort_keys=True),
                          str(root), str(cache.path))
    if memo in _plans:
        return _plans[memo]
    found = execute.plan_page(page, body, config.markdown_extensions,
                              config.mdx_configs, env, root)
    errors = execute.run_all(
        execute.jobs(found, cache, overrides=overrides), cache, root)
    if errors:
        raise execute.ExecutionError("\n\n".join(errors))
    _plans[memo] = found
    return found


def prose(page: str, root: Path = ROOT, setting: str | None = None
          ) -> str:
    """The page's Markdown as the build renders it: with the numbers its
    blocks glued (tools/glue.py) in place of ``{{ name }}``."""
    found = plan(page, root, setting)
    text = (root / "docs" / page).read_text()
    return glue.substitute(text, execute.glued(found), page)


def page_run(page: str, root: Path = ROOT) -> execute.PagePlan:
    """The page's plan with its top-to-bottom run recorded too (the run of
    its notebook: all its blocks, both tabs, in one fresh interpreter),
    run first if there is no record of it."""
    found = plan(page, root)
    cache = Cache()
    errors = execute.run_all(execute.jobs(found, cache, page=True), cache,
                             root)
    if errors:
        raise execute.ExecutionError("\n\n".join(errors))
    return found


def output(page: str, name: str, root: Path = ROOT,
           setting: str | None = None) -> str:
    """What the block `name` (the first word of its title) of `page`
    printed when it ran as a reader copies it."""
    found = plan(page, root, setting)
    matches = [b for b in found.blocks if b.name == name]
    if len(matches) != 1:
        raise LookupError(f"{page} has {len(matches)} blocks named {name}")
    return found.records[matches[0].index]["stdout"]


def notebook(stem: str, root: Path = ROOT, setting: str | None = None):
    """The executed notebook chapter ``models/<stem>.ipynb`` (run first if
    it has no record yet)."""
    story = root / "notebooks" / f"{stem}.py"
    overrides = environment.setting(setting)
    cache, env = Cache(), environment_key(root, overrides)
    nb = notebooks.executed(story, cache, env)
    if nb is None:
        errors = notebooks.NotebookJob(story, env, overrides).run(cache)
        if errors:
            raise execute.ExecutionError("\n\n".join(errors))
        nb = notebooks.executed(story, cache, env)
    return nb


def _stdout(cell) -> str:
    """What a code cell printed to stdout."""
    return "".join(o.get("text", "") for o in cell.outputs
                   if o.get("output_type") == "stream"
                   and o.get("name") == "stdout")


def cell_output(stem: str, name: str, setting: str | None = None) -> str:
    """What the code cell the story names `name` (``# %% name="..."``)
    printed in the executed notebook chapter."""
    nb = notebook(stem, setting=setting)
    found = [c for c in nb.cells if c.get("id") == name]
    if len(found) != 1:
        raise LookupError(f"models/{stem}.ipynb has no cell named {name}")
    return _stdout(found[0])


def cell_outputs(stem: str, setting: str | None = None) -> list[str]:
    """Each code cell's printed text in the executed notebook chapter."""
    nb = notebook(stem, setting=setting)
    return [_stdout(c) for c in nb.cells if c.cell_type == "code"]
