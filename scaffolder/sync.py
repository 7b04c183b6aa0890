"""``classroom sync``: a template's fix as one pull request to every student's repository.

For each ``ORG/PREFIX-HANDLE`` of the roster, the default branch (and the
branches of earlier syncs) is fetched into a bare copy kept in the output
folder, and the update is computed as ``mlscaffold update`` computes it
(``update.template_side``): the template named by the branch's
``.mlscaffold.json``, rendered at its current version with the recorded
answers, committed on the branch's last pristine render. That commit R is
pushed as the branch ``mlscaffold/update-<version>`` and one pull request is
opened from it into the default branch. GitHub then merges as git does: a file
only the student changed is never touched, and a student whose edits conflict
with the template's change sees the conflict on the pull request.

Never pushed: the default branch. Never done: a force push (a branch that
moved on is built on, never replaced). A rerun pushes nothing and opens
nothing for a pull request that is up to date; a newer template version opens
a new pull request and closes the older one with a comment. The report
(``sync-report.csv`` / ``.json``) is rewritten after every student, and a run
killed at any point is finished by running it again.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from scaffolder import gitops
from scaffolder.catalog import Template
from scaffolder.class_repos import (
    ClassRepositories,
    Opened,
    StudentWork,
    make_folder,
    remote_git,
)
from scaffolder.credentials import Token
from scaffolder.github import PullRequestExists
from scaffolder.record import RECORD_FILE
from scaffolder.report import Report
from scaffolder.update import (
    Changes,
    Repository,
    SourceOptions,
    TemplateSide,
    render_message,
    template_side,
)

REPORT_NAME = "sync-report"
REPORT_CSV = f"{REPORT_NAME}.csv"
REPORT_JSON = f"{REPORT_NAME}.json"
FIELDS = (
    "line",
    "student",
    "repository",
    "status",
    "pull_request",
    "files",
    "conflicts",
    "note",
    "error",
)
# The branch of each template version's pull request.
BRANCH_PREFIX = "mlscaffold/update-"
# In the output folder: a bare copy of each student's history, fetched again by each run.
CACHE_FOLDER = ".mlscaffold-sync"


class SyncStatus(StrEnum):
    """Where one student's repository stands after the sync; written to the report as its value."""

    PENDING = "pending"
    UP_TO_DATE = "up-to-date"  # renders as the template, or its pull request is current
    OPENED = "opened"
    UPDATED = "updated"  # its pull request's branch moved on, or a newer one superseded it
    CONFLICT = "conflict"  # a pull request that conflicts with the student's edits
    WOULD_OPEN = "would-open"  # --dry-run
    WOULD_UPDATE = "would-update"  # --dry-run
    FAILED = "failed"


@dataclass(frozen=True)
class SyncRow:
    """One row of the sync report."""

    line: int
    student: str
    repository: str = ""
    status: SyncStatus = SyncStatus.PENDING
    pull_request: str = ""
    files: list[str] = field(default_factory=list)  # what merging the pull request changes
    conflicts: list[str] = field(default_factory=list)
    note: str = ""
    error: str = ""

    def __post_init__(self) -> None:
        # A row read back from an earlier run's report holds the status as text.
        object.__setattr__(self, "status", SyncStatus(self.status))


@dataclass(frozen=True)
class SyncRequest:
    """A sync run's settings; the CLI builds it from its options."""

    repositories: ClassRepositories
    output_dir: Path = Path("classroom")
    dry_run: bool = False
    # A template from a folder or a git repository: --trust, checked again for each render.
    source: SourceOptions = field(default_factory=SourceOptions)


def run_sync(
    request: SyncRequest,
    token: Token | None = None,
    *,
    notify: Callable[[str], None] = lambda message: None,
) -> list[SyncRow]:
    """Bring every student's repository its pull request (with ``dry_run``, only say which).

    Raises ``InvalidInput`` for an unusable roster or option and ``GitHubError``
    without a token, before anything is done; a problem with one student is
    recorded in that student's row.
    """
    gitops.forget_callers_repository()  # called from a hook, git must not follow its GIT_DIR
    opened = request.repositories.open(token, notify)
    report = Report(
        request.output_dir,
        REPORT_NAME,
        FIELDS,
        tuple(SyncStatus),
        SyncRow,
        on_disk=not request.dry_run,
    )
    with _cache_folder(request) as cache:
        return _Sync(request.repositories, opened, cache, request.dry_run, request.source).run(
            report
        )


@contextmanager
def _cache_folder(request: SyncRequest) -> Iterator[Path]:
    """Yield the folder of the bare copies: the output folder's, or a scratch one (dry run)."""
    if request.dry_run:  # nothing written where the instructor looks
        with tempfile.TemporaryDirectory(prefix="mlscaffold-sync-") as scratch:
            yield Path(scratch)
        return
    make_folder(request.output_dir / CACHE_FOLDER)
    yield request.output_dir / CACHE_FOLDER


class _Sync(StudentWork[SyncRow]):
    """One run's work on each student: fetch, compute, push, open the pull request."""

    row_type = SyncRow
    failed_status = SyncStatus.FAILED
    interrupted_error = (
        "interrupted (its branch may be pushed, its pull request open): run the same "
        "command again to finish"
    )

    def __init__(
        self,
        repositories: ClassRepositories,
        opened: Opened,
        cache: Path,
        dry_run: bool,
        source: SourceOptions,
    ) -> None:
        super().__init__(repositories, opened)
        self.cache = cache
        self.dry_run = dry_run
        self.source = source
        # Renders take turns: the template's answer checks are loaded as modules.
        self.render_lock = threading.Lock()

    def work(self, row: SyncRow) -> SyncRow:
        """Bring one student's repository its pull request (or, in a dry run, say what would)."""
        org, name = self.org, row.repository
        info = self.github.repository(org, name)
        if info is None:
            return self.failed(row, self.missing(name))
        default = str(info.get("default_branch") or gitops.BRANCH)
        url = str(info["clone_url"])
        self.step()
        repo = self._fetch(name, url, default)
        ours = f"refs/remotes/origin/{default}"
        if not repo.exists(ours):
            return self.failed(row, f"{org}/{name} has no branch {default} with commits")
        record = repo.record_at(ours)
        if not isinstance(record.get("context"), dict):
            return self.failed(
                row,
                f"the {default} branch of {org}/{name} has no readable {RECORD_FILE}: mlscaffold "
                "did not generate it, so there are no answers to render the template with",
            )
        self.step()
        with self.render_lock, tempfile.TemporaryDirectory(prefix="mlscaffold-sync-") as scratch:
            side = template_side(repo, ours, record, {}, Path(scratch), source=self.source)
        template = side.template
        if side.commit is None:
            note = f"{default} renders as template {template.name} {template.version} already"
            return replace(row, status=SyncStatus.UP_TO_DATE, note=note)
        branch = f"{BRANCH_PREFIX}{template.version}"
        pulls = [p for p in self.github.pull_requests(org, name) if _is_a_sync(p, org)]
        mine = next((p for p in pulls if p["head"].get("ref") == branch), None)
        older = [p for p in pulls if p["head"].get("ref") != branch]
        head, push = _branch_head(repo, side, f"refs/remotes/origin/{branch}", ours)
        changes = repo.trial_merge(side.base, head, ours=ours)
        files = sorted({*changes.added, *changes.updated, *changes.removed, *changes.conflicting})
        row = replace(row, files=files, conflicts=list(changes.conflicting))
        if self.dry_run:
            if mine is not None and not push:
                status, note = SyncStatus.UP_TO_DATE, "its pull request is up to date"
            elif mine is not None or older:
                status, note = (
                    SyncStatus.WOULD_UPDATE,
                    f"would push {branch}, update its pull request",
                )
            else:
                status, note = SyncStatus.WOULD_OPEN, f"would push {branch}, open a pull request"
            if older:
                note += f"; would close #{', #'.join(str(p['number']) for p in older)} (superseded)"
            if changes.conflicting:
                status = SyncStatus.CONFLICT
                note += f"; conflicts with the student's edits in {', '.join(changes.conflicting)}"
            return replace(row, status=status, pull_request=_url(mine), note=note)
        if push:
            self.step()
            self._push(repo, url, head, branch)
        body = _body(template, side.from_version, changes, branch, default)
        if mine is None:
            mine = self._open(name, template, branch, default, body)
            status = SyncStatus.UPDATED if older else SyncStatus.OPENED
        elif push:
            self.github.update_pull_request(org, name, mine["number"], body=body)
            status = SyncStatus.UPDATED
        else:
            status = SyncStatus.UP_TO_DATE
        for old in older:
            self.github.comment(
                org,
                name,
                old["number"],
                f"Superseded by #{mine['number']}, which brings template {template.name} "
                f"{template.version}. Closed by mlscaffold.",
            )
            self.github.update_pull_request(org, name, old["number"], state="closed")
        note = f"supersedes #{', #'.join(str(p['number']) for p in older)}" if older else ""
        if changes.conflicting:
            status = SyncStatus.CONFLICT
            note = (
                f"conflicts with the student's edits in {', '.join(changes.conflicting)}: the "
                "change is not delivered until they resolve them and merge the pull request"
                + (f"; {note}" if note else "")
            )
        return replace(row, status=status, pull_request=_url(mine), note=note)

    def _fetch(self, name: str, url: str, default: str) -> Repository:
        """Fetch the default branch and the sync branches (only those) into the bare copy."""
        folder = self.cache / f"{name}.git"
        repo = Repository.bare(folder)
        if not (folder / "HEAD").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            # --template=: no hooks or excludes of the user's init.templateDir.
            repo.run("init", "--quiet", "--bare", "--template=", str(folder))
        refspecs = [
            f"+refs/heads/{default}:refs/remotes/origin/{default}",
            f"+refs/heads/{BRANCH_PREFIX}*:refs/remotes/origin/{BRANCH_PREFIX}*",
        ]
        self._git(repo, url, "fetch", "--quiet", "--no-tags", "--prune", url, *refspecs)
        return repo

    def _push(self, repo: Repository, url: str, head: str, branch: str) -> None:
        """Push *head* as *branch*: never with force, so a branch that moved on refuses it."""
        self._git(repo, url, "push", "--quiet", "--no-verify", url, f"{head}:refs/heads/{branch}")
        repo.run("update-ref", f"refs/remotes/origin/{branch}", head)

    def _git(self, repo: Repository, url: str, *args: str) -> None:
        remote_git(repo, url, self.auth, *args)

    def _open(
        self, name: str, template: Template, branch: str, default: str, body: str
    ) -> dict[str, Any]:
        """Open the pull request; one opened by a run whose answer was lost is taken as it is."""
        title = f"Update to template {template.name} {template.version} (mlscaffold)"
        try:
            return self.github.create_pull_request(
                self.org, name, title=title, head=branch, base=default, body=body
            )
        except PullRequestExists:
            found = self.github.pull_requests(self.org, name, head=f"{self.org}:{branch}")
            if not found:
                raise
            return found[0]


def _is_a_sync(pull: dict[str, Any], org: str) -> bool:
    """Whether *pull* comes from a sync branch of the repository itself (not from a fork)."""
    ref = str(pull["head"].get("ref") or "")
    return ref.startswith(BRANCH_PREFIX) and pull["head"].get("label") == f"{org}:{ref}"


def _url(pull: dict[str, Any] | None) -> str:
    return str(pull["html_url"]) if pull else ""


def _branch_head(
    repo: Repository, side: TemplateSide, tracking: str, ours: str
) -> tuple[str, bool]:
    """Return the commit the sync branch should hold, and whether it must be pushed.

    The branch is new: R. It holds the render already: as it is. It holds an
    earlier render (the student moved on, or the template changed within its
    version): a commit of the new render on top of it, so the push is a
    fast-forward; its second parent is the base when the branch does not hold it.
    """
    assert side.commit is not None
    if not repo.exists(tracking):
        return side.commit, True
    tip = repo.out("rev-parse", tracking).strip()
    holds_base = repo.run("merge-base", "--is-ancestor", side.base, tip, ok=(0, 1))[0] == 0
    if holds_base and repo.out("rev-parse", f"{tip}^{{tree}}").strip() == side.tree:
        return tip, False
    parents = ["-p", tip] + ([] if holds_base else ["-p", side.base])
    message = render_message(side.template)
    env = repo.identity(ours)
    commit = repo.out("commit-tree", side.tree, *parents, "-m", message, env=env).strip()
    return commit, True


def _body(
    template: Template, from_version: str, changes: Changes, branch: str, default: str
) -> str:
    """Return the pull request's text: what changed, and each file that merging it changes."""
    lines = [
        f"This pull request brings template **{template.name} {template.version}** to this "
        f"repository (it was made from, or last updated to, {from_version}).",
    ]
    changelog = template.changelog(template.version)
    if changelog:
        lines += ["", f"What changed: {changelog}"]
    lines += ["", "Merging it changes these files:", ""]
    for verb, paths in (
        ("added", changes.added),
        ("updated", changes.updated),
        ("removed", changes.removed),
        ("conflicts with your edits", changes.conflicting),
    ):
        lines += [f"- `{path}` ({verb})" for path in paths]
    lines += [
        "",
        "Every file only you changed stays as you left it.",
    ]
    if changes.conflicting:
        lines += [
            "",
            "**Conflicts:** you edited lines the template changes too. Resolve them here "
            f"(GitHub's conflict editor) or locally (`git fetch origin && git merge "
            f"origin/{branch}` on {default}), then merge: the change is not delivered until "
            "you do.",
        ]
    lines += [
        "",
        f"The branch `{branch}` holds the template's render on top of the last render in your "
        f"history (mlscaffold's first commit, or the last update), so git merges only the "
        "template's changes. Made by `mlscaffold classroom sync`.",
    ]
    return "\n".join(lines) + "\n"
