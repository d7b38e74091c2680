"""Hostile and broken files: each gets a clear error naming the file and line,
a non-zero exit, no traceback, and nothing in it runs."""
import pytest

from conftest import run_bcfc

BILLION_LAUGHS = b"\n".join(
    [b'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]".encode() for i in range(1, 10)]
) + b"\n"

CASES = {
    # name: (file bytes, code, expected line or None, words the message must contain)
    "malformed": (b"framework: \"2023-25\"\nhwbs: [1, 2\nversion: 1\n", "BCF004", 3, "YAML syntax error"),
    "duplicate_key": (b"framework: \"2023-25\"\nversion: \"1\"\nstatus: draft\nversion: \"2\"\n", "BCF005", 4,
                      "duplicate key 'version' (first at line 2)"),
    "alias_bomb": (BILLION_LAUGHS, "BCF007", None, "alias"),
    "python_tag": (b"framework: !!python/object/apply:os.system [\"touch PWNED\"]\n", "BCF006", 1, "not allowed"),
    "python_name_tag": (b"a: !!python/name:os.system\n", "BCF006", 1, "not allowed"),
    "deep_nesting": (b"framework: " + b"[" * 5000 + b"]" * 5000 + b"\n", "BCF008", 1, "nesting is deeper"),
    "binary": (bytes(range(256)) * 4, "BCF003", 1, "binary file"),
    "latin1": (b"framework: \"2023-25\"\ntitle: Caf\xe9 plan\n", "BCF003", 2, "not UTF-8"),
    "top_level_list": (b"- framework: \"2023-25\"\n", "BCF009", 1, "must be a mapping"),
    "empty": (b"", "BCF009", 1, "empty"),
    "comments_only": (b"# a plan will go here\n", "BCF009", 1, "no data"),
    "tab_indent": (b"framework: \"2023-25\"\nhwbs:\n\t- name: x\n", "BCF004", 3, "YAML syntax error"),
    "unknown_framework": (b"framework: \"2019-20\"\nversion: \"1\"\n", "BCF010", 1, "unknown framework '2019-20'"),
    "no_framework": (b"version: \"1\"\n", "BCF010", 1, "does not say its framework"),
    "two_documents": (b"framework: \"2023-25\"\n---\nframework: \"2023-25\"\n", "BCF004", 2, "more than one"),
    "recursive_alias": (b"a: &x [1, *x]\n", "BCF007", 1, "refers to itself"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_gets_a_clear_error(tmp_path, name):
    content, code, line, words = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content)

    result = run_bcfc("validate", path, cwd=tmp_path, timeout=30)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    location = f"{path}:{line}:" if line else f"{path}:"
    first = result.stdout.splitlines()[0]
    assert first.startswith(location), first
    assert code in first and words in first, first
    assert "hint:" in result.stdout
    assert not (tmp_path / "PWNED").exists()


def test_missing_path_is_a_usage_error(tmp_path):
    result = run_bcfc("validate", tmp_path / "nope.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "no such file or folder" in result.stdout
    assert "Traceback" not in result.stderr


def test_every_broken_file_is_reported_in_one_run(tmp_path):
    for name in ("malformed", "duplicate_key", "empty"):
        (tmp_path / f"{name}.yaml").write_bytes(CASES[name][0])
    result = run_bcfc("validate", tmp_path, cwd=tmp_path)
    assert result.returncode == 1
    for name in ("malformed", "duplicate_key", "empty"):
        assert f"{name}.yaml:" in result.stdout
    assert "3 error(s)" in result.stdout
