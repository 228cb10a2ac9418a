"""Tests for snippets/glossary/baseline.py (the glossary index's run)."""

from snippets.glossary import baseline


def test_baseline_learns_the_digits():
    # The page says the baseline "gets most test digits right".
    assert baseline.test_acc > 0.95
    assert baseline.history["train_loss"][-1] < baseline.history[
        "train_loss"][0] / 5
