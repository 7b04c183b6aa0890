"""Any cookiecutter template, safely: folders and git repositories, trust, the cache, the record.

Real templates in real git repositories under tmp_path, fetched as paths, as
``file://`` URLs and over smart HTTP from 127.0.0.1; real hooks that would
leave a marker file; every refusal checked for its exit status, its one line,
and that nothing was written.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import git, tree

from scaffolder.errors import InvalidInput
from scaffolder.trust import canonical, is_trusted, trusted_sources

COMMIT_AS = ["--author", "Ada Lovelace", "--email", "ada@example.com"]
CONTEXT = {
    "full_name": "Some One",
    "repo_name": "demo",
    "greeting": "hi {{ cookiecutter.full_name }}",
}
PROJECT = "{{cookiecutter.repo_name}}"


def write_template(folder: Path, files: dict[str, str], context: dict | None = None) -> Path:
    """Write a cookiecutter template into *folder*: its cookiecutter.json and *files*."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cookiecutter.json").write_text(json.dumps(context or CONTEXT))
    for name, text in {f"{PROJECT}/README.md": "{{ cookiecutter.greeting }}\n", **files}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def commit_all(folder: Path, message: str = "template", tag: str | None = None) -> str:
    """Commit everything in *folder* (a git repository, made if need be); return the commit."""
    if not (folder / ".git").exists():
        git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", message)
    if tag:
        git(folder, "tag", tag)
    return git(folder, "rev-parse", "HEAD")


def marker_hook(marker: Path) -> dict[str, str]:
    """A post-generation hook that would leave *marker*, naming the project it ran for."""
    code = (
        f"import pathlib\npathlib.Path({str(marker)!r})"
        ".write_text('{{ cookiecutter.repo_name }}')\n"
    )
    return {"hooks/post_gen_project.py": code}


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def template(tmp_path) -> Path:
    """A plain template (no code of its own) in a git repository, tagged v1."""
    folder = write_template(tmp_path / "tpl", {})
    commit_all(folder, tag="v1")
    return folder


# -- sources: folder, file://, gh: ------------------------------------------------------------


@pytest.mark.parametrize("form", ["path", "file-url"])
def test_a_template_without_code_renders_untrusted_and_records_its_source(
    invoke, tmp_path, template, form
):
    source = str(template) if form == "path" else template.as_uri()
    result = invoke("new", source, "--no-input", "-o", str(tmp_path / "out"), *COMMIT_AS)
    assert result.exit_code == 0, result.output
    project = tmp_path / "out" / "demo"
    assert (project / "README.md").read_text() == "hi Some One\n"
    assert git(project, "log", "--format=%an <%ae>") == "Ada Lovelace <ada@example.com>"
    assert git(project, "status", "--porcelain") == ""
    record = json.loads((project / ".mlscaffold.json").read_text())
    assert record["template"] == "tpl"
    source_record = record["template_source"]
    if form == "path":
        assert source_record == {"kind": "path", "path": str(template.resolve()), "directory": None}
    else:
        assert source_record["kind"] == "git"
        assert source_record["url"] == template.resolve().as_uri()
        assert source_record["commit"] == git(template, "rev-parse", "HEAD")


def test_ref_picks_a_tag_or_a_commit_and_source_at_ref_too(invoke, tmp_path, template):
    first = git(template, "rev-parse", "HEAD")
    (template / PROJECT / "NEW.md").write_text("second\n")
    second = commit_all(template, "second")
    url = template.as_uri()
    cases = {
        "tag": (["--ref", "v1"], first, "tag"),
        "at-tag": ([], first, "tag"),
        "commit": (["--ref", first[:10]], first, "commit"),
        "branch": (["--ref", "main"], second, "branch"),
        "default": ([], second, "default branch"),
    }
    for name, (options, expected, kind) in cases.items():
        source = f"{url}@v1" if name == "at-tag" else url
        out = tmp_path / name
        result = invoke("new", source, *options, "--no-input", "-o", str(out), *COMMIT_AS)
        assert result.exit_code == 0, (name, result.output)
        record = json.loads((out / "demo" / ".mlscaffold.json").read_text())["template_source"]
        assert (record["commit"], record["ref_kind"]) == (expected, kind), name
        assert (out / "demo" / "NEW.md").exists() == (expected == second), name


def test_an_unknown_ref_and_a_ref_that_contradicts_source_at_ref_are_refused(
    invoke, tmp_path, template
):
    out = tmp_path / "out"
    for args, said in (
        (["--ref", "v9"], "has no branch, tag or commit 'v9'"),
        (["--ref", "-oops"], "is not a branch, a tag or a commit"),
    ):
        result = invoke("new", template.as_uri(), *args, "--no-input", "-o", str(out), *COMMIT_AS)
        assert said in one_line_error(result, 2)
    result = invoke("new", f"{template.as_uri()}@v1", "--ref", "main", "-o", str(out), "--no-input")
    assert "the source says @v1 and --ref says main" in one_line_error(result, 2)
    assert not out.exists()


def test_directory_picks_the_template_in_a_subfolder(invoke, tmp_path):
    repository = tmp_path / "many"
    write_template(repository / "courses" / "week-1", {f"{PROJECT}/WEEK": "1\n"})
    write_template(repository / "courses" / "week-2", {f"{PROJECT}/WEEK": "2\n"})
    commit_all(repository)
    out = tmp_path / "out"
    for index, source in enumerate((str(repository), repository.as_uri())):
        target = out / str(index)
        result = invoke(
            "new",
            source,
            "--directory",
            "courses/week-2",
            "--no-input",
            "-o",
            str(target),
            *COMMIT_AS,
        )
        assert result.exit_code == 0, result.output
        assert (target / "demo" / "WEEK").read_text() == "2\n"
        record = json.loads((target / "demo" / ".mlscaffold.json").read_text())
        assert record["template"] == "week-2"
        assert record["template_source"]["directory"] == "courses/week-2"
    for bad in ("../tpl", "/etc", "courses/none"):
        result = invoke("new", str(repository), "--directory", bad, "-o", str(out / "x"))
        one_line_error(result, 2)
    result = invoke("new", str(repository), "--no-input", "-o", str(out / "x"))
    assert "give it with --directory" in one_line_error(result, 2)
    assert not (out / "x").exists()


def test_ref_and_directory_are_not_for_a_bundled_template(invoke, tmp_path):
    result = invoke("new", "fraud-detection", "--ref", "v1", "-o", str(tmp_path))
    assert "is one of mlscaffold's templates" in one_line_error(result, 2)


# -- trust: hooks, extensions, sandbox, links ------------------------------------------------


@pytest.mark.parametrize("form", ["path", "file-url"])
def test_a_hook_runs_only_with_trust(invoke, tmp_path, form):
    marker = tmp_path / "marker"
    folder = write_template(tmp_path / "hooked", marker_hook(marker))
    commit_all(folder)
    source = str(folder) if form == "path" else folder.as_uri()
    out = tmp_path / "out"
    refused = invoke("new", source, "--no-input", "-o", str(out), *COMMIT_AS)
    line = one_line_error(refused, 4)
    assert "needs trust" in line and "hooks/post_gen_project.py" in line and "--trust" in line
    assert not marker.exists() and not out.exists()
    preview = invoke("new", source, "--dry-run", "--no-input", "-o", str(out), *COMMIT_AS)
    assert preview.exit_code == 0, preview.output  # a stranger's files can be looked at first
    assert "README.md" in preview.output
    assert "Its hooks need --trust to run (none ran): post_gen_project.py" in preview.output
    assert not marker.exists() and not out.exists()
    dry = invoke("new", source, "--trust", "--dry-run", "--no-input", "-o", str(out), *COMMIT_AS)
    assert dry.exit_code == 0 and "Would run the template's hooks" in dry.output
    assert not marker.exists() and not out.exists()
    trusted = invoke("new", source, "--trust", "--no-input", "-o", str(out), *COMMIT_AS)
    assert trusted.exit_code == 0, trusted.output
    assert marker.read_text() == "demo"  # rendered with the answers, as cookiecutter does
    assert git(out / "demo", "status", "--porcelain") == ""


def test_a_failing_hook_leaves_nothing_behind(invoke, tmp_path):
    folder = write_template(
        tmp_path / "failing",
        {"hooks/pre_gen_project.py": "import sys\nprint('the name is taken')\nsys.exit(3)\n"},
    )
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--trust", "--no-input", "-o", str(out), *COMMIT_AS)
    line = one_line_error(result, 1)
    assert "hooks/pre_gen_project.py failed (exit status 3): the name is taken" in line
    assert not out.exists()


def test_a_hook_that_runs_git_init_leaves_mlscaffold_to_make_the_one_commit(invoke, tmp_path):
    hook = "import subprocess\nsubprocess.run(['git', 'init', '-q'], check=True)\n"
    folder = write_template(tmp_path / "gitty", {"hooks/post_gen_project.py": hook})
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--trust", "--no-input", "-o", str(out), *COMMIT_AS)
    assert result.exit_code == 0, result.output
    assert len(git(out / "demo", "rev-list", "--all").split()) == 1


def test_a_hook_does_not_see_the_github_token(invoke, tmp_path, monkeypatch, guard):
    secret = "ghp_" + "s3cr3t" * 6
    guard.secrets.append(secret)
    monkeypatch.setenv("GITHUB_TOKEN", secret)
    seen = tmp_path / "seen"
    hook = f"import os, pathlib\npathlib.Path({str(seen)!r}).write_text(repr(sorted(os.environ)))\n"
    folder = write_template(tmp_path / "nosy", {"hooks/pre_gen_project.py": hook})
    result = invoke(
        "new", str(folder), "--trust", "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS
    )
    assert result.exit_code == 0, result.output
    assert "GITHUB_TOKEN" not in seen.read_text() and "HOME" in seen.read_text()


def test_a_pre_prompt_hook_runs_in_a_copy_and_may_change_the_questions(invoke, tmp_path):
    hook = (
        "import json, pathlib\n"
        "data = json.loads(pathlib.Path('cookiecutter.json').read_text())\n"
        "data['repo_name'] = 'from-pre-prompt'\n"
        "pathlib.Path('cookiecutter.json').write_text(json.dumps(data))\n"
    )
    folder = write_template(tmp_path / "asking", {"hooks/pre_prompt.py": hook})
    before = tree(folder)
    result = invoke(
        "new", str(folder), "--trust", "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "from-pre-prompt" / "README.md").exists()
    assert tree(folder) == before  # the user's folder is not the copy


def test_jinja_extensions_are_refused_untrusted_and_never_imported(invoke, tmp_path):
    marker = tmp_path / "imported"
    folder = write_template(
        tmp_path / "extended",
        {
            "local_ext.py": f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n"
            "from jinja2.ext import Extension\nclass Shout(Extension):\n    pass\n",
        },
        {**CONTEXT, "_extensions": ["local_ext.Shout"]},
    )
    path_before = list(sys.path)
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    line = one_line_error(result, 4)
    assert "_extensions 'local_ext.Shout'" in line
    assert not marker.exists() and not out.exists()
    assert sys.path == path_before
    assert not [name for name in sys.modules if "local_ext" in name]
    trusted = invoke("new", str(folder), "--trust", "--no-input", "-o", str(out), *COMMIT_AS)
    assert trusted.exit_code == 0, trusted.output
    assert marker.exists() and sys.path == path_before


def test_an_untrusted_hook_module_is_never_imported_for_its_answer_checks(invoke, tmp_path):
    """mlscaffold imports its own templates' validation hook; never a stranger's."""
    marker = tmp_path / "imported"
    hook = (
        f"import pathlib\npathlib.Path({str(marker)!r}).touch()\ndef problems(a):\n    return []\n"
    )
    folder = write_template(
        tmp_path / "validating",
        {"hooks/pre_gen_project.py": hook},
        {**CONTEXT, "_mlscaffold": {"version": "1.0.0"}},
    )
    result = invoke("new", str(folder), "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
    one_line_error(result, 4)
    assert not marker.exists()


@pytest.mark.parametrize(
    "where",
    [f"{PROJECT}/README.md", f"{PROJECT}/{{{{ cycler.__init__.__globals__.os.getcwd() }}}}.txt"],
    ids=["content", "file-name"],
)
def test_a_file_reaching_python_internals_is_stopped_by_the_sandbox(invoke, tmp_path, where):
    marker = tmp_path / "escaped"
    escape = f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"
    files = {where: escape} if where.endswith("README.md") else {where: "x"}
    folder = write_template(tmp_path / "escaping", files)
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    line = one_line_error(result, 1)
    assert "SecurityError" in line or "UndefinedError" in line, line
    assert not marker.exists() and not out.exists()


def test_a_default_reaching_python_internals_is_stopped_by_the_sandbox(invoke, tmp_path):
    marker = tmp_path / "escaped"
    context = {**CONTEXT, "greeting": "{{ ''.__class__.__mro__[1].__subclasses__() }}"}
    folder = write_template(tmp_path / "escaping", {}, context)
    result = invoke("new", str(folder), "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
    assert "SecurityError" in one_line_error(result, 1)
    assert not marker.exists() and not (tmp_path / "o").exists()


def test_links_out_of_the_template_are_refused_untrusted(invoke, tmp_path):
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY\n")
    folder = write_template(tmp_path / "linking", {"templates/part.txt": "shared\n"})
    (folder / PROJECT / "key.txt").symlink_to(secret)
    (folder / "templates" / "key.txt").symlink_to(secret)
    (folder / PROJECT / "inside.txt").symlink_to(folder / "templates" / "part.txt")
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    line = one_line_error(result, 4)
    assert "key.txt" in line and "a link out of the template" in line
    assert not out.exists()
    (folder / PROJECT / "key.txt").unlink()
    (folder / "templates" / "key.txt").unlink()
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    assert result.exit_code == 0, result.output
    assert (out / "demo" / "inside.txt").read_text() == "shared\n"  # a link inside is followed


def test_a_cookiecutter_json_that_is_a_link_is_refused(invoke, tmp_path):
    folder = tmp_path / "linked"
    write_template(folder, {})
    real = tmp_path / "elsewhere.json"
    real.write_text(json.dumps(CONTEXT))
    (folder / "cookiecutter.json").unlink()
    (folder / "cookiecutter.json").symlink_to(real)
    result = invoke("new", str(folder), "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
    one_line_error(result, 2)


# -- trusted sources in the user's config ----------------------------------------------------


def write_config(home: Path, *entries: str) -> Path:
    config = home / ".config" / "mlscaffold" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[trust]\nsources = [" + ", ".join(json.dumps(e) for e in entries) + "]\n")
    return config


def test_a_trusted_prefix_in_the_config_runs_hooks_and_its_bypasses_do_not(
    invoke, tmp_path, isolated_home
):
    marker = tmp_path / "marker"
    trusted = write_template(tmp_path / "school" / "trusted" / "tpl", marker_hook(marker))
    evil = write_template(tmp_path / "school" / "evil", marker_hook(marker))
    commit_all(trusted)
    commit_all(evil)
    write_config(isolated_home, (tmp_path / "school" / "trusted").as_uri() + "/")
    base = (tmp_path / "school" / "trusted").as_uri()
    for index, bypass in enumerate(
        [
            f"{base}/../evil",
            f"{base}/%2e%2e/evil",
            f"{base}/%2E%2E/evil",
            f"{base}-x/../evil",
            str(tmp_path / "school" / "trusted" / ".." / "evil"),
        ]
    ):
        result = invoke("new", bypass, "--no-input", "-o", str(tmp_path / f"o{index}"), *COMMIT_AS)
        assert "needs trust" in one_line_error(result, 4), bypass
        assert not marker.exists()
    link = tmp_path / "school" / "trusted" / "shortcut"
    link.symlink_to(evil)
    result = invoke("new", str(link), "--no-input", "-o", str(tmp_path / "olink"), *COMMIT_AS)
    one_line_error(result, 4)
    assert not marker.exists()
    for index, source in enumerate([f"{base}/tpl", str(trusted), f"{base}/./x/../tpl"]):
        result = invoke("new", source, "--no-input", "-o", str(tmp_path / f"ok{index}"), *COMMIT_AS)
        assert result.exit_code == 0, (source, result.output)
        assert marker.read_text() == "demo"
        marker.unlink()


@pytest.mark.parametrize(
    ("source", "entry", "trusted"),
    [
        ("gh:acme/tpl", "gh:acme/", True),
        ("https://github.com/acme/tpl", "gh:acme/", True),
        ("https://GitHub.COM:443/acme/tpl", "gh:acme/", True),
        ("https://user:secret@github.com/acme/tpl", "gh:acme/", True),
        ("git+https://github.com/acme/tpl", "gh:acme/", True),
        ("gh:acme/tpl", "gh:acme/tpl", True),
        ("gh:acme/tpl-2", "gh:acme/tpl", False),  # no slash: exactly that one
        ("gh:acme-evil/tpl", "gh:acme/", False),
        ("gh:acme/../evil/tpl", "gh:acme/", False),
        ("gh:acme/%2e%2e/evil/tpl", "gh:acme/", False),
        ("gh:acme/%2E%2e/evil/tpl", "gh:acme/", False),
        ("gh:acme/%252e%252e/evil", "gh:acme/", True),  # decoded once: a folder named %2e%2e
        ("https://github.com@evil.example/acme/tpl", "gh:acme/", False),
        ("https://github.com:8443/acme/tpl", "gh:acme/", False),
        ("http://github.com/acme/tpl", "gh:acme/", False),
        ("https://github.com.evil.example/acme/tpl", "gh:acme/", False),
        ("git@github.com:acme/tpl.git", "ssh://git@github.com/acme/", True),
        ("gh:ACME/tpl", "gh:acme/", False),  # paths are compared as written: fail closed
    ],
)
def test_trusted_prefixes_match_the_canonical_url(source, entry, trusted):
    assert is_trusted(canonical(source), [entry]) is trusted


@pytest.mark.parametrize(
    "source",
    [
        "ext::sh -c touch% /tmp/x",
        "https://github.com/acme/tpl?x=1",
        "https://github.com/acme/tpl#frag",
        "https://github.com/acme/a%20b",
        "https://github.com/acme/a%0ab",
        "https://git%68ub.com/acme/tpl",
        "https://github.com\\@evil.example/acme",
        "file://other.host/tmp/tpl",
        "https:///acme/tpl",
    ],
)
def test_sources_that_cannot_be_read_one_way_are_refused(source):
    with pytest.raises(InvalidInput):
        canonical(source)


@pytest.mark.parametrize("source", ["ext::sh", "fd::3", "-uevil", "--upload-pack=touch x"])
def test_gits_command_transports_and_options_never_reach_git(invoke, tmp_path, source):
    result = invoke("new", source, "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
    assert result.exit_code == 2, result.output
    assert "Fetching" not in result.output and not (tmp_path / "o").exists()


def test_the_canonical_url_has_no_credentials_and_no_dot_segments():
    found = canonical("https://user:p%40ss@Example.COM:443/a/./b/../c.git")
    assert found.url == "https://example.com/a/c.git"
    assert found.auth == ("user", "p@ss")
    assert canonical("git@github.com:acme/tpl.git").url == "ssh://git@github.com/acme/tpl.git"


def test_a_broken_config_is_one_line_naming_the_file(invoke, tmp_path, isolated_home):
    folder = write_template(tmp_path / "tpl", {})
    config = write_config(isolated_home, "x")
    for text in (
        "[trust\n",
        "[trust]\nsources = 'gh:acme/'\n",
        "[trust]\nsources = ['ext::x y']\n",
    ):
        config.write_text(text)
        result = invoke("new", str(folder), "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
        assert str(config) in one_line_error(result, 2)
    config.write_text("")
    assert trusted_sources(config) == []


def test_trust_is_never_read_from_the_template_or_the_working_folder(invoke, tmp_path, monkeypatch):
    marker = tmp_path / "marker"
    folder = write_template(tmp_path / "sneaky", marker_hook(marker))
    write_config(folder, str(folder))  # .config/mlscaffold/config.toml inside the template
    (folder / ".mlscaffold.toml").write_text(f"[trust]\nsources = [{json.dumps(str(folder))}]\n")
    monkeypatch.chdir(folder)
    result = invoke("new", str(folder), "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
    one_line_error(result, 4)
    assert not marker.exists()


# -- the cache --------------------------------------------------------------------------------


def cache_entries(home: Path) -> list[Path]:
    folder = home / ".cache" / "mlscaffold" / "templates"
    return (
        sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []
    )


def test_a_failing_fetch_keeps_the_cache_and_a_cached_commit_needs_no_fetch(
    invoke, tmp_path, template, isolated_home
):
    commit = git(template, "rev-parse", "HEAD")
    url = template.as_uri()
    first = invoke("new", url, "--no-input", "-o", str(tmp_path / "a"), *COMMIT_AS)
    assert first.exit_code == 0, first.output
    [entry] = cache_entries(isolated_home)
    cached = tree(entry)
    template.rename(tmp_path / "gone")  # the server is away
    failed = invoke("new", url, "--no-input", "-o", str(tmp_path / "b"), *COMMIT_AS)
    line = one_line_error(failed, 1)
    assert "cannot fetch the template" in line and "the copy fetched earlier is kept" in line
    assert cache_entries(isolated_home) == [entry] and tree(entry) == cached
    assert not (tmp_path / "b").exists()
    offline = invoke(
        "new", url, "--ref", commit, "--no-input", "-o", str(tmp_path / "c"), *COMMIT_AS
    )
    assert offline.exit_code == 0, offline.output
    assert "from the cache" in offline.output
    made, remade = tree(tmp_path / "a" / "demo"), tree(tmp_path / "c" / "demo")
    assert made.pop(".mlscaffold.json") != remade.pop(".mlscaffold.json")  # ref: the commit
    assert made == remade


def test_the_cache_is_keyed_by_the_whole_canonical_url(invoke, tmp_path, isolated_home):
    one = write_template(tmp_path / "org-a" / "tpl", {f"{PROJECT}/FROM": "a\n"})
    two = write_template(tmp_path / "org-b" / "tpl", {f"{PROJECT}/FROM": "b\n"})
    commit_all(one)
    commit_all(two)
    for index, folder in enumerate((one, two, one)):
        out = tmp_path / f"o{index}"
        result = invoke("new", folder.as_uri(), "--no-input", "-o", str(out), *COMMIT_AS)
        assert result.exit_code == 0, result.output
        assert (out / "demo" / "FROM").read_text() == ("b\n" if folder == two else "a\n")
    assert len(cache_entries(isolated_home)) == 2


TOKEN = "tok_" + "x" * 32


def served_template(tmp_path: Path, servers) -> str:
    """Put a plain template on the git server; return its URL, with the token in it."""
    api, git_server = servers
    source = write_template(tmp_path / "tpl-source", {})
    commit_all(source)
    bare = git_server.root / "school" / "tpl.git"
    bare.parent.mkdir(parents=True)
    git(tmp_path, "clone", "-q", "--bare", str(source), str(bare))
    return api.url.replace("http://", f"http://x-access-token:{TOKEN}@") + "/school/tpl.git"


def test_credentials_in_a_url_reach_the_server_and_no_file_or_output(
    invoke, tmp_path, servers, isolated_home, guard
):
    api, _ = servers
    url = served_template(tmp_path, servers)
    out = tmp_path / "out"
    result = invoke("new", url, "--no-input", "-o", str(out), *COMMIT_AS)
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    record = json.loads((out / "demo" / ".mlscaffold.json").read_text())
    assert record["template_source"]["url"] == api.url + "/school/tpl.git"
    for folder in (isolated_home, out):
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                assert TOKEN.encode() not in path.read_bytes(), path
    wrong = url.replace(TOKEN, "nope")
    failed = invoke("new", wrong, "--no-input", "-o", str(tmp_path / "o2"), *COMMIT_AS)
    assert "cannot fetch the template" in one_line_error(failed, 1)
    assert "nope" not in failed.output


# -- update from the source ------------------------------------------------------------------


def test_update_fetches_the_newest_commit_and_checks_trust_again(invoke, tmp_path, template):
    out = tmp_path / "out"
    made = invoke("new", template.as_uri(), "--no-input", "-o", str(out), *COMMIT_AS)
    assert made.exit_code == 0, made.output
    project = out / "demo"
    (project / "NOTES.md").write_text("mine\n")
    git(project, "add", "NOTES.md")
    git(project, "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-qm", "notes")
    (template / PROJECT / "CHANGELOG.md").write_text("new in the template\n")
    marker = tmp_path / "marker"
    for name, text in marker_hook(marker).items():
        (template / name).parent.mkdir(parents=True, exist_ok=True)
        (template / name).write_text(text)
    newest = commit_all(template, "add a changelog and a hook")
    refused = invoke("update", str(project))
    assert "needs trust" in one_line_error(refused, 4)
    assert not (project / "CHANGELOG.md").exists() and not marker.exists()
    updated = invoke("update", str(project), "--trust")
    assert updated.exit_code == 0, updated.output
    assert (project / "CHANGELOG.md").read_text() == "new in the template\n"
    assert (project / "NOTES.md").read_text() == "mine\n"
    record = json.loads((project / ".mlscaffold.json").read_text())
    assert record["template_source"]["commit"] == newest
    assert git(project, "status", "--porcelain") == ""
    again = invoke("update", str(project), "--trust")
    assert again.exit_code == 0 and "Already up to date" in again.output


def test_update_with_ref_goes_to_that_tag_and_a_branch_is_followed(invoke, tmp_path, template):
    git(template, "checkout", "-q", "-b", "course")
    (template / PROJECT / "COURSE.md").write_text("course\n")
    commit_all(template, "course branch")
    git(template, "checkout", "-q", "main")
    out = tmp_path / "out"
    made = invoke(
        "new", template.as_uri(), "--ref", "course", "--no-input", "-o", str(out), *COMMIT_AS
    )
    assert made.exit_code == 0, made.output
    project = out / "demo"
    git(template, "checkout", "-q", "course")
    (template / PROJECT / "WEEK2.md").write_text("week 2\n")
    commit_all(template, "week 2", tag="week-2")
    git(template, "checkout", "-q", "main")
    (template / PROJECT / "MAIN-ONLY.md").write_text("main\n")
    commit_all(template, "main only")
    followed = invoke("update", str(project))
    assert followed.exit_code == 0, followed.output
    assert (project / "WEEK2.md").exists() and not (project / "MAIN-ONLY.md").exists()
    bundled_ref = invoke("update", str(project), "--ref", "nope")
    assert "has no branch, tag or commit 'nope'" in one_line_error(bundled_ref, 2)


def test_classroom_takes_a_git_source(invoke, tmp_path, template):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "github,name,email\nada-l,Ada Lovelace,ada@example.com\n"
        "ghopper,Grace Hopper,g@example.com\n"
    )
    context = {
        **CONTEXT,
        "author_name": "A",
        "author_email": "a@example.com",
        "github_username": "x",
    }
    (template / "cookiecutter.json").write_text(json.dumps(context))
    (template / PROJECT / "AUTHOR").write_text("{{ cookiecutter.author_name }}\n")
    commit_all(template, "authors")
    out = tmp_path / "class"
    result = invoke(
        "classroom", template.as_uri(), "--roster", str(roster), "-o", str(out), "--prefix", "c"
    )
    assert result.exit_code == 0, result.output
    assert "2 of 2 students generated" in result.output
    authors = sorted(p.read_text().strip() for p in out.glob("*/AUTHOR"))
    assert authors == ["Ada Lovelace", "Grace Hopper"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["c-ada-l", "c-ghopper"]


def test_an_untrusted_template_fails_the_classroom_before_any_student(invoke, tmp_path):
    marker = tmp_path / "marker"
    folder = write_template(tmp_path / "hooked", marker_hook(marker))
    roster = tmp_path / "roster.csv"
    roster.write_text("github,name\nada-l,Ada Lovelace\n")
    result = invoke("classroom", str(folder), "--roster", str(roster), "-o", str(tmp_path / "c"))
    one_line_error(result, 4)
    assert not marker.exists() and not (tmp_path / "c").exists()


def test_options_a_template_does_not_ask_for(invoke, tmp_path, template, monkeypatch):
    out = tmp_path / "out"
    no_author = invoke("new", str(template), "--no-input", "-o", str(out))
    assert "give --author and --email" in one_line_error(no_author, 2)
    named = invoke("new", str(template), "Card Radar", "--no-input", "-o", str(out), *COMMIT_AS)
    assert "NAME: template tpl has no project_name variable" in one_line_error(named, 2)
    for option in (["--github-user", "ada"], ["--license", "MIT"]):
        refused = invoke("new", str(template), *option, "--no-input", "-o", str(out), *COMMIT_AS)
        assert f"{option[0]}: template tpl has no" in one_line_error(refused, 2)
    train = invoke("new", str(template), "--train", "--no-input", "-o", str(out), *COMMIT_AS)
    assert "--train" in one_line_error(train, 2)
    no_git = invoke("new", str(template), "--no-git", "--no-input", "-o", str(out))
    assert no_git.exit_code == 0, no_git.output  # no commit: no author needed
    assert not (out / "demo" / ".git").exists()
    assert os.listdir(out) == ["demo"]


# -- interruptions ----------------------------------------------------------------------------


def start_new(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scaffolder", "new", *args, "--no-input", *COMMIT_AS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(condition, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_signal_during_a_hook_ends_it_and_leaves_nothing(tmp_path, signal_number):
    started = tmp_path / "started"
    hook = f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\ntime.sleep(120)\n"
    folder = write_template(tmp_path / "slow", {"hooks/post_gen_project.py": hook})
    out = tmp_path / "out"
    proc = start_new(str(folder), "--trust", "-o", str(out))
    wait_until(started.exists, proc)
    proc.send_signal(signal_number)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert err.strip().splitlines()[-1] == "Aborted!" and "Traceback" not in err
    assert not out.exists()  # the staging folder went with the run; no_process_left: the hook too


def test_a_signal_during_a_fetch_from_a_stalled_server_leaves_no_cache_and_no_scratch(
    tmp_path, servers, isolated_home
):
    api, git_server = servers
    url = served_template(tmp_path, servers)
    git_server.hold = threading.Event()
    proc = start_new(url, "-o", str(tmp_path / "out"))
    try:
        wait_until(lambda: bool(git_server.seen_auth), proc)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        git_server.hold.set()
    assert proc.returncode == 1 and err.strip().splitlines()[-1] == "Aborted!", err
    templates = isolated_home / ".cache" / "mlscaffold" / "templates"
    assert not templates.exists() or list(templates.iterdir()) == []
    assert not (tmp_path / "out").exists()


def test_new_with_publish_from_a_git_source(runner, tmp_path, template, servers):
    """`--publish` works for a stranger's template as for mlscaffold's own."""
    from scaffolder.cli import cli

    api, _ = servers
    out = tmp_path / "out"
    result = runner.invoke(
        cli,
        ["new", template.as_uri(), "-o", str(out), "--no-input", *COMMIT_AS, "--publish"],
        env={"GITHUB_API_URL": api.url, "GH_ENTERPRISE_TOKEN": TOKEN},
    )
    assert result.exit_code == 0, result.output
    assert f"published at {api.url}/ada/demo" in result.output
    assert api.pushed_commits("ada", "demo") == git(out / "demo", "rev-list", "main").split()


def test_a_stranger_template_with_a_package_name_is_still_not_trained(invoke, tmp_path):
    """cookiecutter-pypackage has package_name too; only mlscaffold's contract trains."""
    folder = write_template(tmp_path / "pkg", {}, {**CONTEXT, "package_name": "demo"})
    out = tmp_path / "out"
    train = invoke("new", str(folder), "--train", "--no-input", "-o", str(out), *COMMIT_AS)
    assert "is not one of them" in one_line_error(train, 2)
    made = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    assert made.exit_code == 0, made.output
    assert "see its README" in made.output and "python -m demo train" not in made.output


def test_a_file_that_renders_without_end_is_cut_off_and_a_pipe_is_not_read(invoke, tmp_path):
    bomb = (
        "{% for i in range(100000) %}{% for j in range(1000) %}xxxxxxxxxx{% endfor %}{% endfor %}"
    )
    folder = write_template(tmp_path / "bomb", {f"{PROJECT}/big.txt": bomb})
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    assert "renders to more than 50 million characters" in one_line_error(result, 1)
    assert not out.exists()
    (folder / PROJECT / "big.txt").unlink()
    os.mkfifo(folder / PROJECT / "pipe")
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    assert "is a named pipe" in one_line_error(result, 1)
    assert not out.exists()


# -- what the hostile review found ---------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("content", "{{ 1/0 }}"),
        ("content", "{{ [].pop() }}"),
        ("content", "{{ 'a' + 1 }}"),
        ("content", "{{ range(10**9)|list }}"),
        ("name", "{{ [].pop() }}.txt"),
        ("default", "{{ 1/0 }}"),
    ],
)
def test_a_python_error_in_a_template_expression_is_one_line(invoke, tmp_path, where, text):
    files, context = {}, dict(CONTEXT)
    if where == "content":
        files = {f"{PROJECT}/f.txt": text}
    elif where == "name":
        files = {f"{PROJECT}/{text}": "x"}
    else:
        context["greeting"] = text
    folder = write_template(tmp_path / "broken", files, context)
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    line = one_line_error(result, 1)
    assert "Error" in line.partition(":")[2] or "Overflow" in line, line
    assert not out.exists()


def test_a_chain_of_links_through_a_subfolder_cannot_include_a_file_from_outside(invoke, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT\n")
    repository = tmp_path / "mono"
    write_template(repository / "sub", {f"{PROJECT}/f.txt": '{% include "s.txt" %}'})
    (repository / "shared").mkdir()
    (repository / "shared" / "s.txt").symlink_to(secret)
    (repository / "sub" / "templates").symlink_to("../shared")
    commit_all(repository)
    for index, source in enumerate((str(repository), repository.as_uri())):
        out = tmp_path / f"out{index}"
        result = invoke(
            "new", source, "--directory", "sub", "--no-input", "-o", str(out), *COMMIT_AS
        )
        assert "links outside the template" in one_line_error(result, 1)
        assert not out.exists()


def test_a_link_hidden_in_a_git_folder_cannot_be_included(invoke, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT\n")
    folder = write_template(tmp_path / "hidden", {f"{PROJECT}/f.txt": '{% include ".git/s.txt" %}'})
    (folder / "templates" / ".git").mkdir(parents=True)
    (folder / "templates" / ".git" / "s.txt").symlink_to(secret)
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    assert result.exit_code in (1, 4) and "SECRET" not in result.output
    one_line_error(result, result.exit_code)
    assert not out.exists()


def test_a_git_repository_inside_an_untrusted_templates_project_is_refused(invoke, tmp_path):
    folder = write_template(tmp_path / "planted", {f"{PROJECT}/sub/f": "x\n"})
    git(folder / PROJECT / "sub", "init", "-q")
    git(folder / PROJECT / "sub", "config", "core.fsmonitor", f"touch {tmp_path / 'ran'}; false")
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    line = one_line_error(result, 4)
    assert f"{PROJECT}/sub/.git" in line and "git repository in the template" in line
    assert not out.exists() and not (tmp_path / "ran").exists()


def test_a_relative_trusted_source_is_refused(invoke, tmp_path, isolated_home, monkeypatch):
    marker = tmp_path / "marker"
    write_template(tmp_path / "templates" / "hooked", marker_hook(marker))
    monkeypatch.chdir(tmp_path)
    for entry in ("templates/", "./", "hooked"):
        config = write_config(isolated_home, entry)
        result = invoke("new", "templates/hooked", "--no-input", "-o", "out", *COMMIT_AS)
        line = one_line_error(result, 2)
        assert "is a relative path; write it from / or ~" in line and str(config) in line
        assert not marker.exists()


def test_a_dry_run_runs_no_hook_not_even_pre_prompt(invoke, tmp_path):
    ran = tmp_path / "ran"
    hooks = {
        f"hooks/{name}.py": f"open({str(ran)!r}, 'a').write('{name} ')\n"
        for name in ("pre_prompt", "pre_gen_project", "post_gen_project")
    }
    folder = write_template(tmp_path / "hooked", hooks)
    out = tmp_path / "out"
    result = invoke(
        "new", str(folder), "--trust", "--dry-run", "--no-input", "-o", str(out), *COMMIT_AS
    )
    assert result.exit_code == 0, result.output
    assert not ran.exists() and not out.exists()
    assert "pre_prompt.py, pre_gen_project.py, post_gen_project.py" in result.output


def test_a_hook_that_removes_the_project_folder_is_one_line(invoke, tmp_path):
    hook = "import os, shutil\nhere = os.getcwd()\nos.chdir('..')\nshutil.rmtree(here)\n"
    folder = write_template(tmp_path / "removing", {"hooks/post_gen_project.py": hook})
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--trust", "--no-input", "-o", str(out), *COMMIT_AS)
    assert "removed the folder it ran in" in one_line_error(result, 1)
    assert not out.exists()


@pytest.mark.parametrize(
    "source",
    [
        "https://alice:SECRET X@host/x",
        "https://alice:pa/ss@host/repo",
        "https://alice:SECRET@h/%ff",
    ],
)
def test_a_password_in_a_source_that_is_refused_is_not_shown(invoke, tmp_path, source):
    result = invoke("new", source, "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
    line = one_line_error(result, 2)
    assert "SECRET" not in result.output and "pa/ss" not in result.output, line


def test_a_source_or_a_trusted_entry_that_is_not_utf8_is_one_line(invoke, tmp_path, isolated_home):
    for source in ("https://h/x%ff", "file:///tmp/t1%ff"):
        result = invoke("new", source, "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
        assert "not UTF-8" in one_line_error(result, 2)
    folder = write_template(tmp_path / "tpl", {})
    config = write_config(isolated_home, "https://h/%ff/")
    result = invoke("new", str(folder), "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
    assert str(config) in one_line_error(result, 2)


def test_a_link_into_the_templates_own_git_folder_is_a_link_out(invoke, tmp_path):
    """A clone's .git/config can hold the token it was cloned with."""
    folder = write_template(tmp_path / "cloned", {"templates/part.txt": "x\n"})
    commit_all(folder)
    git(folder, "remote", "add", "origin", "https://x-access-token:ghp_TOKEN123@example.com/t")
    (folder / PROJECT / "settings.ini").symlink_to("../.git/config")
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    assert "settings.ini" in one_line_error(result, 4)
    (folder / PROJECT / "settings.ini").unlink()
    (folder / "templates" / "git").symlink_to("../.git")
    (folder / PROJECT / "f.txt").write_text('{% include "git/config" %}')
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    assert result.exit_code in (1, 4), result.output
    assert "ghp_TOKEN123" not in result.output and not out.exists()


def test_a_refused_password_says_so(invoke, tmp_path, servers):
    url = served_template(tmp_path, servers).replace(TOKEN, "wrong-password")
    result = invoke("new", url, "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
    line = one_line_error(result, 1)
    assert "asks for a user name and password, or refused the ones given" in line
    assert "wrong-password" not in result.output


def test_bad_jinja_settings_are_one_line(invoke, tmp_path):
    context = {**CONTEXT, "_jinja2_env_vars": {"newline_sequence": "x"}}
    folder = write_template(tmp_path / "settings", {}, context)
    result = invoke("new", str(folder), "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
    assert "cannot set up Jinja" in one_line_error(result, 1)


@pytest.mark.parametrize("text", ["{{ ('a' * 100000000) * 100 }}", "{{ 9 ** 99999999 }}"])
def test_an_untrusted_template_cannot_build_huge_values(invoke, tmp_path, text):
    folder = write_template(tmp_path / "huge", {f"{PROJECT}/f.txt": text})
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    assert "SecurityError" in one_line_error(result, 1)
    assert not out.exists()


def test_hooks_are_found_as_cookiecutter_finds_them(invoke, tmp_path):
    marker = tmp_path / "marker"
    folder = write_template(tmp_path / "linked-hooks", {})
    (folder / "real-hooks").mkdir()
    for name, text in marker_hook(marker).items():
        (folder / "real-hooks" / Path(name).name).write_text(text)
    (folder / "real-hooks" / "pre_gen_project.sh.txt").write_text("#!/bin/sh\nexit 1\n")
    (folder / "hooks").symlink_to("real-hooks")
    out = tmp_path / "out"
    refused = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    line = one_line_error(refused, 4)
    assert "post_gen_project.py" in line and "sh.txt" not in line
    trusted = invoke("new", str(folder), "--trust", "--no-input", "-o", str(out), *COMMIT_AS)
    assert trusted.exit_code == 0, trusted.output  # the .sh.txt is no hook: not run
    assert marker.read_text() == "demo"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["", "--no-input"], "SOURCE is empty"),
        (["gh:", "--no-input"], "needs an owner and a repository"),
        (["gh:acme", "--no-input"], "needs an owner and a repository"),
        (["gh:acme/tpl", "--ref", "main^"], "is not a branch, a tag or a commit"),
        (["gh:acme/tpl", "--ref", "main~2"], "is not a branch, a tag or a commit"),
        (["gh:acme/tpl@v1:README.md"], "is not a branch, a tag or a commit"),
    ],
)
def test_sources_and_refs_that_name_nothing_are_refused_before_a_fetch(
    invoke, tmp_path, args, said
):
    result = invoke("new", *args, "-o", str(tmp_path / "o"), *COMMIT_AS)
    assert said in one_line_error(result, 2)
    assert "Fetching" not in result.output


def test_jinjas_own_extensions_need_no_trust(invoke, tmp_path):
    context = {**CONTEXT, "_extensions": ["jinja2.ext.do", "jinja2.ext.loopcontrols"]}
    text = (
        "{% set xs = [] %}{% do xs.append(1) %}{% for x in [1, 2] %}{% break %}{% endfor %}{{ xs }}"
    )
    folder = write_template(tmp_path / "jinja", {f"{PROJECT}/f.txt": text}, context)
    result = invoke("new", str(folder), "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "demo" / "f.txt").read_text() == "[1]"


def test_a_trusted_template_with_hooks_renders_as_plain_cookiecutter_renders_it(invoke, tmp_path):
    """Hooks, derived defaults, copy-only files, an empty-named file: the same tree, bytes alike."""
    hook = (
        "import pathlib\n"
        "if '{{ cookiecutter.licence }}' == 'none':\n"
        "    pathlib.Path('LICENSE').unlink()\n"
        "pathlib.Path('made.txt').write_text('{{ cookiecutter.repo_name }}\\n')\n"
    )
    context = {
        "full_name": "Some One",
        "project": "My Thing",
        "repo_name": "{{ cookiecutter.project.lower().replace(' ', '-') }}",
        "licence": ["none", "MIT"],
        "greeting": "hello",
        "_copy_without_render": ["raw/*"],
    }
    folder = write_template(
        tmp_path / "compat",
        {
            "hooks/post_gen_project.py": hook,
            f"{PROJECT}/LICENSE": "{{ cookiecutter.licence }} by {{ cookiecutter.full_name }}\n",
            f"{PROJECT}/raw/kept.txt": "{{ not rendered }}\n",
            f"{PROJECT}/{{% if cookiecutter.licence == 'MIT' %}}NOTICE{{% endif %}}": "x\n",
        },
        context,
    )
    ours = tmp_path / "ours"
    result = invoke("new", str(folder), "--trust", "--no-input", "--no-git", "-o", str(ours))
    assert result.exit_code == 0, result.output
    theirs = tmp_path / "theirs"
    done = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(theirs), str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    mine = tree(ours / "my-thing")
    assert mine.pop(".mlscaffold.json")
    assert mine == tree(theirs / "my-thing")
    assert "LICENSE" not in mine and mine["made.txt"] == b"my-thing\n"
    assert mine["raw/kept.txt"] == b"{{ not rendered }}\n"


@pytest.mark.parametrize("slug", [".git", "a/b", "..", ""])
def test_an_answer_that_makes_the_project_folder_no_plain_name_is_bad_input(
    invoke, tmp_path, template, slug
):
    out = tmp_path / "out"
    result = invoke(
        "new",
        str(template),
        "--set",
        f"repo_name={slug}",
        "--no-input",
        "-o",
        str(out),
        *COMMIT_AS,
    )
    assert "the project's folder cannot be named so" in one_line_error(result, 2)
    assert not out.exists()


def test_submodules_and_lfs_files_that_are_not_fetched_are_said(invoke, tmp_path, template):
    (template / ".gitmodules").write_text('[submodule "x"]\n\tpath = x\n\turl = ../x\n')
    (template / ".gitattributes").write_text("*.bin filter=lfs diff=lfs merge=lfs -text\n")
    commit_all(template, "submodule and lfs")
    result = invoke("new", template.as_uri(), "--no-input", "-o", str(tmp_path / "o"), *COMMIT_AS)
    assert result.exit_code == 0, result.output
    assert "submodules, which are not fetched" in result.output
    assert "Git LFS; they stay pointer files" in result.output


def test_a_trusted_folder_template_linking_to_shared_files_beside_it_still_renders(
    invoke, tmp_path
):
    """As mlscaffold's own templates do: files linked from a shared folder next to the template."""
    (tmp_path / "_shared").mkdir()
    (tmp_path / "_shared" / "LICENSE").write_text(
        "shared licence of {{ cookiecutter.full_name }}\n"
    )
    folder = write_template(tmp_path / "linking", {})
    (folder / PROJECT / "LICENSE").symlink_to("../../_shared/LICENSE")
    out = tmp_path / "out"
    refused = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    assert "a link out of the template" in one_line_error(refused, 4)
    trusted = invoke("new", str(folder), "--trust", "--no-input", "-o", str(out), *COMMIT_AS)
    assert trusted.exit_code == 0, trusted.output
    assert (out / "demo" / "LICENSE").read_text() == "shared licence of Some One\n"


def test_a_folder_whose_name_renders_to_git_is_refused(invoke, tmp_path):
    folder = write_template(tmp_path / "sneaky", {f"{PROJECT}/sub/{{{{ '.git' }}}}/config": "x\n"})
    out = tmp_path / "out"
    result = invoke("new", str(folder), "--no-input", "-o", str(out), *COMMIT_AS)
    assert "which is not a plain name" in one_line_error(result, 1)
    assert not out.exists()


def test_update_never_writes_through_a_record_that_is_a_link(invoke, tmp_path, template):
    out = tmp_path / "out"
    assert invoke("new", str(template), "--no-input", "-o", str(out), *COMMIT_AS).exit_code == 0
    project = out / "demo"
    outside = tmp_path / "outside.json"
    outside.write_text((project / ".mlscaffold.json").read_text())
    before = outside.read_text()
    (project / ".mlscaffold.json").unlink()
    (project / ".mlscaffold.json").symlink_to(outside)
    git(project, "add", "-A")
    git(project, "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-qm", "link")
    (template / PROJECT / "NEW.md").write_text("new\n")
    commit_all(template, "new file")
    invoke("update", str(project))
    assert outside.read_text() == before
