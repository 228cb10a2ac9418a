"""The key under which a slow test's pass is reused (tests/conftest.py):
any change to a file git tracks or would track changes it; an ignored
file does not."""

import subprocess

import tests.conftest as shared


def digest(monkeypatch, root):
    monkeypatch.setattr(shared, "ROOT", root)
    return shared.repo_digest.__wrapped__()


def test_the_key_follows_every_file_but_the_ignored_ones(tmp_path,
                                                         monkeypatch):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("site/\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "."], check=True)
    first = digest(monkeypatch, tmp_path)
    assert first == digest(monkeypatch, tmp_path)  # stable
    (tmp_path / "a.py").write_text("x = 2\n")  # an edit, not committed
    edited = digest(monkeypatch, tmp_path)
    assert edited != first
    (tmp_path / "new_test.py").write_text("")  # untracked, not ignored
    added = digest(monkeypatch, tmp_path)
    assert added != edited
    (tmp_path / "site").mkdir()
    (tmp_path / "site/index.html").write_text("built")  # ignored
    assert digest(monkeypatch, tmp_path) == added


def test_no_git_no_reuse(tmp_path, monkeypatch):
    assert digest(monkeypatch, tmp_path) is None
