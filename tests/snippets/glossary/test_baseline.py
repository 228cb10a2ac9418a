"""Tests for snippets/glossary/baseline.py (the glossary index's run)."""

import re

from tools.records import output


def baseline_run():
    """The train losses {epoch: loss} and the test accuracy that the page
    prints (the build's run, read from the execution cache: nothing is
    trained again)."""
    text = output("glossary/index.md", "baseline.py")
    losses = {int(e): float(v) for e, v in
              re.findall(r"^epoch +(\d+): train loss ([\d.]+),", text, re.M)}
    (acc,) = re.findall(r"^test accuracy after 20 epochs: ([\d.]+)$", text,
                        re.M)
    return losses, float(acc)


def test_baseline_learns_the_digits():
    losses, test_acc = baseline_run()
    assert sorted(losses) == [1, 5, 10, 20]
    # The page says the baseline "gets most test digits right".
    assert test_acc > 0.95
    assert losses[20] < losses[1] / 5
