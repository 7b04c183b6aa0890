"""new --train, its failures: a failing step keeps the project committed as rendered and exits 1
naming the step; Ctrl-C during a step ends its processes and leaves nothing behind.

The installs here fail fast and offline on purpose (no index: hatchling cannot be
found), with uv and with venv + pip; the trained end to end run is in
test_train_e2e.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from conftest import AUTHOR, git, history
from servers import silent_server

from scaffolder.errors import StepFailed
from scaffolder.train_step import _child_environment, _refuse_cuda_torch, find_uv

NAME = "breast-cancer-diagnosis"


def new_train(invoke, out: Path, **env: str):
    return invoke(
        "new", "medical-diagnosis", "-o", str(out), "--no-input", *AUTHOR, "--train", env=env
    )


@pytest.fixture
def no_index(tmp_path) -> dict[str, str]:
    """An installer setting with nowhere to find a package: the install fails in seconds."""
    empty = tmp_path / "no-wheels"
    empty.mkdir()
    return {
        "UV_OFFLINE": "1",
        "UV_FIND_LINKS": str(empty),
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(empty),
        "PIP_CONFIG_FILE": os.devnull,  # none of the machine's pip settings (its constraints)
    }


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_a_failing_install_keeps_the_project_committed_without_results(
    invoke, tmp_path, no_index, installer
):
    if installer == "uv" and find_uv() is None:
        pytest.skip("uv is not installed")
    result = new_train(invoke, tmp_path, MLSCAFFOLD_INSTALLER=installer, **no_index)
    assert result.exit_code == 1, result.output
    error = result.output.strip().splitlines()[-1]
    assert error.startswith("Error: the install failed (")
    assert "committed without results" in error
    # The step's own lines were shown as it ran, and its last one is in the error.
    shown = [line for line in result.output.splitlines() if line.startswith("| ")]
    assert shown and f"): {shown[-1][2:].strip()} (the project" in error
    project = tmp_path / NAME
    assert len(history(project)) == 1
    assert git(project, "status", "--porcelain", "--ignored=no") == ""
    assert "_No results yet._" in (project / "README.md").read_text()
    assert (project / ".venv").is_dir()  # kept, for the next try, and not committed
    assert not any(name.startswith(".venv") for name in git(project, "ls-files").splitlines())


def test_a_failing_step_puts_back_what_training_wrote(invoke, tmp_path, no_index, monkeypatch):
    """Training may have rewritten the README before it failed: the commit is the render."""
    from scaffolder import train_step

    real = train_step.run_step

    def half_done(step, command, cwd, env, echo):
        (cwd / "README.md").write_text("half-written results\n")
        (cwd / "reports" / "metrics.json").write_text("{")
        real(step, command, cwd, env, echo)

    monkeypatch.setattr(train_step, "run_step", half_done)
    result = new_train(invoke, tmp_path, **no_index)
    assert result.exit_code == 1, result.output
    project = tmp_path / NAME
    assert "_No results yet._" in (project / "README.md").read_text()
    assert not (project / "reports" / "metrics.json").exists()
    assert git(project, "status", "--porcelain") == ""


def test_ctrl_c_during_the_install_ends_it_and_leaves_nothing(tmp_path):
    if find_uv() is None:
        pytest.skip("uv is not installed")
    out = tmp_path / "out"
    marker = uuid.uuid4().hex
    with silent_server() as url:  # an index that never answers: the install hangs
        env = {
            **os.environ,
            "UV_INDEX_URL": f"{url}/simple",
            "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
            "MLSCAFFOLD_INSTALLER": "uv",
            "TRAIN_TEST_RUN": marker,
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "scaffolder", "new", "medical-diagnosis", "-o", str(out)]
            + ["--no-input", *AUTHOR, "--train"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stderr is not None
        for line in proc.stderr:
            if "installing the project" in line:
                break
        else:
            pytest.fail(f"the install never started: {proc.communicate()}")
        deadline = time.monotonic() + 60
        while not running_with(f"TRAIN_TEST_RUN={marker}", "install"):  # uv waits on the index
            assert time.monotonic() < deadline and proc.poll() is None, "uv never started"
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)  # to mlscaffold alone: its steps run in their own session
        _, err = proc.communicate(timeout=60)
        # Looked for while the index still hangs: a uv left running would still be waiting.
        assert running_with(f"TRAIN_TEST_RUN={marker}") == []
    assert proc.returncode == 1, err
    assert err.strip().splitlines()[-1] == "Aborted!"
    assert not (out / NAME).exists()  # no project, no .venv, no staging folder
    assert not out.exists() or not any(out.iterdir())


def running_with(variable: str, argument: str = "") -> list[int]:
    """The processes alive whose environment holds *variable* (NAME=value), and *argument*."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except (OSError, IndexError):
            continue
        if variable.encode() not in environ or state in ("Z", "X"):
            continue
        if not argument or argument.encode() in arguments:
            found.append(int(entry.name))
    return found


def test_uv_gets_the_package_indexes_pip_is_given(monkeypatch):
    monkeypatch.setenv("PIP_FIND_LINKS", "/srv/wheels /opt/more")
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple")
    monkeypatch.setenv("UV_EXTRA_INDEX_URL", "https://mine.example/simple")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "https://other.example/simple")
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere/else")
    env = _child_environment("uv")
    assert env["UV_FIND_LINKS"] == "/srv/wheels,/opt/more"
    assert env["UV_INDEX_URL"] == "https://mirror.example/simple"
    assert env["UV_EXTRA_INDEX_URL"] == "https://mine.example/simple"  # its own wins
    assert env["UV_PYTHON_DOWNLOADS"] == "never"
    assert "VIRTUAL_ENV" not in env
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    assert _child_environment("uv")["UV_OFFLINE"] == "1"
    assert "UV_FIND_LINKS" not in _child_environment("pip")


def fake_torch(folder: Path, version: str) -> None:
    """A wheel named and described as torch *version* (nothing in it): what resolvers read."""
    name = f"torch-{version}"
    with zipfile.ZipFile(folder / f"{name}-py3-none-any.whl", "w") as wheel:
        wheel.writestr(
            f"{name}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n",
        )
        wheel.writestr(
            f"{name}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        wheel.writestr(f"{name}.dist-info/RECORD", "")


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_a_torch_that_is_not_the_cpu_build_is_refused_before_a_download(tmp_path, installer):
    if installer == "uv" and find_uv() is None:
        pytest.skip("uv is not installed")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    fake_torch(wheels, "9.0.0")  # as PyPI's Linux torch: the CUDA build, no +cpu
    fake_torch(wheels, "8.0.0+cpu")
    env = {
        **_child_environment(installer),
        "UV_OFFLINE": "1",
        "UV_CACHE_DIR": str(tmp_path / "cache"),
        "PIP_NO_INDEX": "1",
        "PIP_CONFIG_FILE": os.devnull,  # none of the machine's pip settings (its constraints)
    }
    if installer == "uv":
        subprocess.run(
            [find_uv(), "venv", "-q", "--python", sys.executable, "v"], cwd=tmp_path, check=True
        )
        install = [find_uv(), "pip", "install", "--python", str(tmp_path / "v/bin/python")]
    else:
        install = [sys.executable, "-m", "pip", "install"]
    links = ["--find-links", str(wheels)]
    with pytest.raises(StepFailed, match=r"resolves to torch 9\.0\.0, which is not the CPU build"):
        _refuse_cuda_torch(installer, install, ["torch", *links], tmp_path, env)
    _refuse_cuda_torch(installer, install, ["torch==8.0.0", *links], tmp_path, env)  # +cpu: fine
