"""The cache of compiled templates: never changes a project, never trusts what others could write.

The first tests run real `mlscaffold new` processes with one cache folder (a
cold cache, three runs filling it at once, a warm one) and compare the projects
byte for byte with one made without a cache. The others use the cache with a
real Jinja environment on a small template, to put bad files in its way.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AUTHOR, tree
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

from scaffolder import render, template_cache
from scaffolder.catalog import get_template, read_template
from scaffolder.generate import ProjectRequest, create_project
from scaffolder.template_cache import TemplateCache, open_cache

NOBODY = 65534  # a user id that is not this one


def new(out: Path, cache_home: Path) -> subprocess.Popen:
    """Start `mlscaffold new fraud-detection` into *out*, with its cache under *cache_home*."""
    return subprocess.Popen(
        [sys.executable, "-m", "scaffolder", "new", "fraud-detection", "-o", str(out)]
        + ["--no-input", "--no-git", *AUTHOR],
        env={**os.environ, "XDG_CACHE_HOME": str(cache_home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(*runs: subprocess.Popen) -> None:
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err


def test_a_cold_a_shared_and_a_warm_cache_give_the_project_made_without_one(tmp_path):
    in_the_way = tmp_path / "a-file"  # XDG_CACHE_HOME is a file: no cache can be made
    in_the_way.write_text("")
    finished(new(tmp_path / "none", in_the_way))
    expected = tree(tmp_path / "none" / "fraud-detection")

    cache_home = tmp_path / "cache"
    finished(*[new(tmp_path / f"cold{i}", cache_home) for i in range(3)])  # at once, cold
    folder = cache_home / "mlscaffold" / "jinja"
    cached = sorted(folder.iterdir())
    assert cached and all(p.suffix == ".jbc" for p in cached)  # whole files only, no temporaries
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in cached)

    finished(new(tmp_path / "warm", cache_home))
    assert sorted(folder.iterdir()) == cached  # read, not written again
    for made in ("cold0", "cold1", "cold2", "warm"):
        assert tree(tmp_path / made / "fraud-detection") == expected, made


def test_only_bundled_templates_are_cached(tmp_path, isolated_home):
    render._environment.cache_clear()  # environments made by earlier tests hold their cache
    folder = isolated_home / ".cache" / "mlscaffold" / "jinja"
    bundled = get_template("recommender")
    create_project(ProjectRequest(bundled, output_dir=tmp_path / "a", git=False))
    cached = sorted(folder.iterdir())
    assert cached

    # The same template from a folder of the user's: its code is compiled, never kept.
    copy = tmp_path / "elsewhere"
    copy.mkdir()
    subprocess.run(["cp", "-RL", str(bundled.path), str(copy)], check=True)
    template = read_template(copy / "recommender")
    create_project(ProjectRequest(template, output_dir=tmp_path / "b", git=False))
    assert sorted(folder.iterdir()) == cached
    slug = "movie-recommender"
    assert tree(tmp_path / "a" / slug).keys() == tree(tmp_path / "b" / slug).keys()


# A small template for the tests below: (name, source, what it renders to).
SOURCE = "Hello {{ who }}!\n"
POISON = "{{ who }} was fooled\n"


def environment(templates: Path, cache: TemplateCache | None) -> SandboxedEnvironment:
    """A fresh environment (so nothing is remembered in memory) using *cache*."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(templates)), bytecode_cache=cache, keep_trailing_newline=True
    )


def hello(templates: Path, cache: TemplateCache | None) -> str:
    return environment(templates, cache).get_template("hello.txt").render(who="Ada")


@pytest.fixture
def templates(tmp_path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "hello.txt").write_text(SOURCE)
    return folder


@pytest.fixture
def cache(tmp_path, monkeypatch) -> TemplateCache:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    found = open_cache("test-environment")
    assert found is not None
    return found


def cache_file(cache: TemplateCache) -> Path:
    (path,) = cache.folder.iterdir()
    return path


def poison(templates: Path, cache: TemplateCache) -> Path:
    """Write a cache file, well-formed and for hello.txt's source, holding other code."""
    env = environment(templates, cache)
    filename = str(templates / "hello.txt")
    bucket = cache.get_bucket(env, "hello.txt", filename, SOURCE)
    bucket.code = env.compile(POISON, "hello.txt", filename)
    cache.dump_bytecode(bucket)
    return cache_file(cache)


def test_the_cache_is_read_and_checked_against_the_source(templates, cache):
    assert hello(templates, cache) == "Hello Ada!\n"
    assert hello(templates, cache) == "Hello Ada!\n"  # compiled once, loaded after
    poison(templates, cache)
    # A sound file of the user's own is trusted: this is what the checks below protect.
    assert hello(templates, cache) == "Ada was fooled\n"
    (templates / "hello.txt").write_text("Bye {{ who }}.\n")  # an edited source: compiled anew
    assert hello(templates, cache) == "Bye Ada.\n"


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_a_cache_file_others_can_write_is_not_loaded(templates, cache, mode):
    path = poison(templates, cache)
    path.chmod(mode)
    assert hello(templates, cache) == "Hello Ada!\n"
    assert stat.S_IMODE(cache_file(cache).stat().st_mode) == 0o600  # replaced by a private one


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_cache_file_of_another_user_is_not_loaded(templates, cache):
    os.chown(poison(templates, cache), NOBODY, NOBODY)
    assert hello(templates, cache) == "Hello Ada!\n"


def test_a_linked_cache_file_is_not_followed(templates, cache, tmp_path):
    path = poison(templates, cache)
    path.rename(tmp_path / "elsewhere.jbc")
    path.symlink_to(tmp_path / "elsewhere.jbc")
    assert hello(templates, cache) == "Hello Ada!\n"


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:-40] + bytes(40),  # the code overwritten
        lambda data: b"\x80\x04garbage" * 50,  # not a cache file at all (a pickle's start)
        lambda data: data.replace(b"mlscaffold-jinja-cache 1", b"mlscaffold-jinja-cache 9"),
    ],
    ids=["empty", "truncated", "zeroed", "garbage", "other-format"],
)
def test_a_damaged_cache_file_is_compiled_again_and_replaced(templates, cache, damage):
    assert hello(templates, cache) == "Hello Ada!\n"
    path = cache_file(cache)
    good = path.read_bytes()
    path.write_bytes(damage(good))
    assert hello(templates, cache) == "Hello Ada!\n"
    assert cache_file(cache).read_bytes() == good


def test_a_fifo_in_place_of_a_cache_file_does_not_hang(templates, cache):
    hello(templates, cache)
    path = cache_file(cache)
    path.unlink()
    os.mkfifo(path)
    assert hello(templates, cache) == "Hello Ada!\n"


def test_a_cache_file_that_cannot_be_written_means_no_cache(templates, cache):
    key = cache.get_cache_key("hello.txt", str(templates / "hello.txt"))
    (cache.folder / f"{key}.jbc").mkdir()  # os.replace cannot put a file there
    assert hello(templates, cache) == "Hello Ada!\n"
    assert hello(templates, cache) == "Hello Ada!\n"
    assert [p.name for p in cache.folder.iterdir()] == [f"{key}.jbc"]  # no temporary left


def in_the_way_file(home: Path) -> None:
    home.write_text("")


def others_can_write(home: Path) -> None:
    (home / "mlscaffold" / "jinja").mkdir(parents=True)
    (home / "mlscaffold" / "jinja").chmod(0o777)


def a_link(home: Path) -> None:
    (home / "mlscaffold").mkdir(parents=True)
    (home / "real").mkdir(mode=0o700)
    (home / "mlscaffold" / "jinja").symlink_to(home / "real")


def another_users(home: Path) -> None:
    (home / "mlscaffold" / "jinja").mkdir(parents=True, mode=0o700)
    os.chown(home / "mlscaffold" / "jinja", NOBODY, NOBODY)


def read_only(home: Path) -> None:
    home.mkdir(mode=0o500)


setups = [in_the_way_file, others_can_write, a_link]
setups += [another_users] if os.geteuid() == 0 else [read_only]  # root writes anywhere


@pytest.mark.parametrize("setup", setups, ids=lambda f: f.__name__)
def test_a_cache_folder_that_is_not_the_users_alone_means_no_cache(
    invoke, tmp_path, monkeypatch, setup
):
    home = tmp_path / "cache-home"
    setup(home)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    assert open_cache("any") is None
    result = invoke("new", "medical-diagnosis", "-o", str(tmp_path), "--no-input", *AUTHOR)
    assert result.exit_code == 0, result.output


def test_the_cache_folder_follows_xdg_and_the_platform(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert template_cache.cache_folder() == tmp_path / "mlscaffold" / "jinja"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored, as XDG says
    assert template_cache.cache_folder() == Path.home() / ".cache" / "mlscaffold" / "jinja"
    monkeypatch.setattr(sys, "platform", "darwin")
    expected = Path.home() / "Library" / "Caches" / "mlscaffold" / "jinja"
    assert template_cache.cache_folder() == expected
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    assert template_cache.cache_folder() == tmp_path / "mlscaffold" / "Cache" / "jinja"


@pytest.mark.parametrize("home", [".", "relative/home"])
def test_a_relative_home_means_no_cache_in_the_working_folder(monkeypatch, tmp_path, home):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", home)
    assert template_cache.cache_folder() is None
    assert open_cache("any") is None
    assert list(tmp_path.iterdir()) == []
