"""Bring a generated repository up to its template's current version with git's own merge.

mlscaffold made the repository's first commit itself, so the pristine render of
the template version the project came from is in the project's own history,
and ``.mlscaffold.json`` holds every answer::

    base = the last pristine render on the branch: mlscaffold's initial commit, or
           the render commit of the last update (the second parent of its merge)
    new  = the template as it is now, rendered with the recorded answers (and --set)
    R    = commit(tree=new, parent=base)          # the template's side
    git merge R                                   # ours: the current branch

So the merge is git's (merge-ort: renames, directory renames, standard
conflicts), the user's edits are kept, files the template removed go only if
the user never touched them, and files the user deleted stay deleted. R is the
base of the next update. A dry run makes the same R in a scratch object store
and asks ``git merge-tree --write-tree`` (git 2.38 or newer) for the result, so
nothing in the repository changes.

If the run is stopped (Ctrl-C, SIGTERM) while it changes the repository, the
branch, index and working tree are put back as they were; when it stops on
conflicts, the repository is in git's merge state (``git merge --abort`` undoes it).
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from scaffolder import answers as answers_
from scaffolder.catalog import Template, get_template
from scaffolder.errors import GitError, InvalidInput, ScaffoldError, UnknownTemplate, printable
from scaffolder.gitops import complaint, forget_callers_repository, run_git
from scaffolder.record import (
    RECORD_FILE,
    RENDER_KEYS,
    parse_record,
    read_record,
    write_merged_record,
    write_record,
)
from scaffolder.render import render_project
from scaffolder.sources import GIT, PATH, SourceRequest, open_into
from scaffolder.templates_folder import ENVIRONMENT_VARIABLE

# The subject of the first commit `new` makes (generate.py writes it), and the trailer of
# every render commit an update makes: how the base is found in the history.
INITIAL_COMMIT_SUBJECT = "Initial commit from mlscaffold template "
RENDER_TRAILER = "Mlscaffold-Render:"
# `git merge-tree --write-tree`, the dry run's trial merge, came with git 2.38.
MERGE_TREE_GIT = (2, 38)

Notify = Callable[[str], None]


@dataclass(frozen=True)
class UpdateRequest:
    """One ``update`` run: the project, the answers to change, and whether to only look."""

    project: Path = Path(".")
    settings: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = False
    # For a template from a git repository: the branch, tag or commit to update to, and trust.
    source: SourceOptions = field(default_factory=lambda: SourceOptions())


@dataclass(frozen=True)
class SourceOptions:
    """How to open again a template that came from a folder or a git repository.

    *ref* is the branch, tag or commit to render (default: the branch the
    project followed, else the repository's default branch); *trust* lets its
    code run, as ``new --trust`` did. Trust is checked again for every render.
    """

    ref: str | None = None
    trust: bool = False


class Outcome(Enum):
    """How an update ended."""

    UPDATED = "updated"  # a merge commit (or a fast-forward) on the branch
    UP_TO_DATE = "up-to-date"  # the template renders as the base: nothing to do
    CONFLICTS = "conflicts"  # stopped in git's merge state
    WOULD_UPDATE = "would-update"  # a dry run; nothing changed


@dataclass(frozen=True)
class Changes:
    """What the update does to each file of the branch, by path."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    conflicting: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Files the user deleted that the template still has: they stay deleted.
    kept_deleted: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UpdateResult:
    """The outcome of an update and every file's part in it."""

    project: Path
    template: str
    from_version: str
    to_version: str
    outcome: Outcome
    changes: Changes
    branch: str
    commit: str | None = None  # the branch's new head (a merge commit, or R when fast-forwarded)
    render_commit: str | None = None  # R: the template's side, the next update's base
    changed_answers: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Return the result as ``--json`` prints it."""
        changes = self.changes
        return {
            "project": str(self.project),
            "template": self.template,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "outcome": self.outcome.value,
            "branch": self.branch,
            "commit": self.commit,
            "render_commit": self.render_commit,
            "changed_answers": self.changed_answers,
            "files": {
                "added": changes.added,
                "updated": changes.updated,
                "removed": changes.removed,
                "conflicting": changes.conflicting,
                "unchanged": changes.unchanged,
            },
            "kept_deleted": changes.kept_deleted,
        }


def update_project(request: UpdateRequest, notify: Notify | None = None) -> UpdateResult:
    """Merge the current template, rendered with the recorded answers, into the project.

    Raises ``InvalidInput`` (exit 2), with nothing changed, for a folder that is
    not the top of a git repository, one without ``.mlscaffold.json``, uncommitted
    or untracked files, a merge in progress, a detached HEAD, a template older
    than the recorded one, bad ``--set`` answers, or a history with no render of
    mlscaffold's. Raises ``GitError`` if git fails (the repository is put back).
    Conflicts are not an error here: the result says ``CONFLICTS`` and the
    repository is in git's merge state.
    """
    say = notify or (lambda message: None)
    forget_callers_repository()  # called from a hook, git must not follow its GIT_DIR
    repo = Repository.open(request.project)
    record = read_record(repo.root)
    if record is None or not isinstance(record.get("context"), dict):
        raise InvalidInput(
            f"{repo.root} has no readable {RECORD_FILE}: it was not generated by mlscaffold, "
            "so there are no answers to render the template with"
        )
    branch = repo.check_ready()
    with tempfile.TemporaryDirectory(prefix="mlscaffold-update-") as scratch_name:
        scratch = Path(scratch_name)
        if request.dry_run:
            # A scratch object store in front of the repository's: the dry run writes nothing there.
            repo.use_scratch_objects(scratch / "objects")
        side = template_side(
            repo, "HEAD", record, request.settings, scratch, say, source=request.source
        )
        template, changed, base = side.template, side.changed_answers, side.base
        header = _Header(repo.root, template.name, side.from_version, template.version, branch)
        if side.commit is None:
            unchanged = Changes(unchanged=sorted(repo.paths("HEAD")))
            return header.result(Outcome.UP_TO_DATE, unchanged, changed_answers=changed)
        render_commit = side.commit
        if request.dry_run:
            # R lived in the scratch object store only: no commit of it to name.
            changes = repo.trial_merge(base, render_commit)
            return header.result(Outcome.WOULD_UPDATE, changes, changed_answers=changed)
        say(f"Merging template {template.name} {template.version} into {branch}")
        outcome, changes, head = repo.merge(
            base, render_commit, side.record, _merge_message(header, changed), say
        )
    return header.result(
        outcome, changes, commit=head, render_commit=render_commit, changed_answers=changed
    )


@dataclass(frozen=True)
class TemplateSide:
    """The template's side of an update: the base, the new render's tree, and R on the base."""

    template: Template
    from_version: str  # the version the branch was generated from or last updated to
    base: str  # the last pristine render on the branch
    tree: str  # the new render, with the blocks the project wrote kept as the base had them
    record: dict[str, Any]  # the .mlscaffold.json the new render holds
    commit: str | None  # R: *tree* on *base*; None when the render is the base's (up to date)
    changed_answers: list[str] = field(default_factory=list)


def template_side(
    repo: Repository,
    ours: str,
    record: Mapping[str, Any],
    settings: Mapping[str, str],
    scratch: Path,
    say: Notify = lambda message: None,
    *,
    source: SourceOptions | None = None,
) -> TemplateSide:
    """Render the current template with *record*'s answers and commit it on the base of *ours*.

    The computation ``update`` merges and ``classroom sync`` pushes: *ours* is
    the branch (a revision) to bring up to date and *record* the
    ``.mlscaffold.json`` it holds; *scratch* is an empty folder of the caller's
    for the render. Raises ``InvalidInput`` for a template older than the
    recorded one, bad answers, or a history without a render of mlscaffold's;
    ``NeedsTrust`` when a template from a folder or a repository now has code
    of its own and *source* does not trust it.
    """
    template = _template_of(record, source or SourceOptions(), scratch / "template", say)
    recorded_version = str(record.get("template_version", "0"))
    if _is_older(template.version, recorded_version):
        raise InvalidInput(
            f"template {template.name} is at version {template.version}, older than the "
            f"{recorded_version} this project was generated from or last updated to; "
            "update never goes back"
        )
    base = repo.find_base(ours)
    context, changed = _context(template, record["context"], settings)
    say(f"Rendering template {template.name} {template.version} with the project's answers")
    render = _render(template, context, repo.record_at(base), scratch)
    repo.keep_written_blocks(render, base, ours)
    tree = repo.tree_of(render, scratch / "index")
    rendered = read_record(render) or {}
    commit = None
    if not repo.same_render(base, tree, render):
        commit = repo.commit_tree(tree, base, render_message(template), who=ours)
    return TemplateSide(template, recorded_version, base, tree, rendered, commit, changed)


def summary(result: UpdateResult) -> list[str]:
    """Return the lines that tell a person what the update did (or would do), file by file.

    Each is printable as it is: a file name with a line break or an escape
    sequence in it is shown escaped.
    """
    lines = _summary(result)
    return [line[: len(line) - len(line.lstrip())] + printable(line) for line in lines]


def _summary(result: UpdateResult) -> list[str]:
    where = f"{result.project.name} to template {result.template} {result.to_version}"
    since = f"(from {result.from_version})"
    changes = result.changes
    if result.outcome is Outcome.UP_TO_DATE:
        return [
            f"Already up to date: {result.project.name} renders as template {result.template} "
            f"{result.to_version} with its answers; nothing was changed."
        ]
    if result.outcome is Outcome.UPDATED:
        how = "a fast-forward" if result.commit == result.render_commit else "merge commit"
        lines = [f"Updated {where} {since}: {how} {(result.commit or '')[:7]} on {result.branch}"]
        verbs = ("added", "updated", "removed", "conflicting")
    elif result.outcome is Outcome.CONFLICTS:
        lines = [
            f"The update of {where} {since} stopped on conflicts; {result.project.name} is in "
            "git's merge state, as after any `git merge`."
        ]
        verbs = ("added", "updated", "removed", "conflicting")
    else:
        lines = [f"Would update {where} {since}; nothing was changed:"]
        verbs = ("would add", "would update", "would remove", "would conflict")
    if result.changed_answers:
        lines.append(f"  answers changed: {', '.join(result.changed_answers)}")
    groups = (changes.added, changes.updated, changes.removed, changes.conflicting)
    width = max(len(verb) for verb in verbs)
    for verb, paths in zip(verbs, groups, strict=True):
        lines += [f"  {verb:<{width}}  {path}" for path in paths]
    if changes.kept_deleted:
        lines.append(
            "  kept deleted (you deleted them; the template still has them): "
            + ", ".join(changes.kept_deleted)
        )
    if result.outcome is Outcome.WOULD_UPDATE:
        lines += [f"  {'unchanged':<{width}}  {path}" for path in changes.unchanged]
    else:
        lines.append(f"  {len(changes.unchanged)} files unchanged")
    if result.outcome is Outcome.CONFLICTS:
        lines += [
            "Resolve the conflicting files (git status lists them; git mergetool helps), then:",
            "  git add <files> && git commit     # finish the update",
            "  git merge --abort                 # or undo it: back to where you were",
        ]
    return lines


def conflict_message(result: UpdateResult) -> str:
    """Return the one-line error of an update that stopped on conflicts (exit status 3)."""
    files = result.changes.conflicting
    shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
    return (
        f"the update stopped on conflicts in {shown}; resolve them and `git commit`, "
        "or undo the update with `git merge --abort`"
    )


@dataclass(frozen=True)
class _Header:
    project: Path
    template: str
    from_version: str
    to_version: str
    branch: str

    def result(self, outcome: Outcome, changes: Changes, **more: Any) -> UpdateResult:
        return UpdateResult(
            self.project,
            self.template,
            self.from_version,
            self.to_version,
            outcome,
            changes,
            self.branch,
            **more,
        )


def _template_of(
    record: Mapping[str, Any], options: SourceOptions, work: Path, say: Notify
) -> Template:
    """Return the template the record names, as it is now; say where it came from if it is gone.

    One from a folder or a git repository is opened again from there (fetched
    anew, at *options*' ref or the branch it followed), in the new folder *work*.
    """
    origin = record.get("template_source")
    if isinstance(origin, dict) and origin.get("kind") in (GIT, PATH):
        work.mkdir()
        return open_into(_reopening(origin, options), work, say)
    if options.ref is not None:
        raise InvalidInput(
            f"--ref is for a template from a git repository; this project's template "
            f"{record.get('template')} is one of mlscaffold's"
        )
    try:
        return get_template(str(record.get("template", "")))
    except UnknownTemplate as exc:
        source = record.get("template_source")
        if isinstance(source, dict) and source.get("kind") == ENVIRONMENT_VARIABLE:
            raise UnknownTemplate(
                f"{exc} (it came from {ENVIRONMENT_VARIABLE}, at {source.get('path')}: "
                f"set {ENVIRONMENT_VARIABLE} to the folder that holds it)"
            ) from None
        raise


def _reopening(origin: Mapping[str, Any], options: SourceOptions) -> SourceRequest:
    """Return the request that opens a recorded folder or repository template again."""
    directory = origin.get("directory")
    directory = directory if isinstance(directory, str) else None
    if origin.get("kind") == PATH:
        if options.ref is not None:
            raise InvalidInput(
                f"--ref is for a template from a git repository; this project's came from "
                f"the folder {origin.get('path')}"
            )
        return SourceRequest(str(origin.get("path", "")), None, directory, options.trust)
    followed = origin.get("ref") if origin.get("ref_kind") == "branch" else None
    ref = options.ref if options.ref is not None else followed
    url = str(origin.get("url", ""))
    return SourceRequest(url, None if ref is None else str(ref), directory, options.trust)


def _context(
    template: Template, recorded: Mapping[str, Any], settings: Mapping[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """Return the context of the new render, and the answers that *settings* changed.

    The recorded answers are given again, as data; a derived answer (such as the
    slug, derived from the project name) that still equals what the template
    derives from the other answers is derived again, so that a new project name
    renames the folder and the package. ``--set`` goes on top. Every answer goes
    through the checks ``new`` applies.
    """
    raw = template.raw_context
    given: dict[str, str] = {}
    for key in template.variables:
        value = recorded.get(key)
        if value is None or isinstance(raw[key], dict):
            continue  # a dictionary cannot be given as one value: the template's own
        given[key] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    derived = [key for key in given if isinstance(raw[key], str) and "{" in raw[key]]
    if derived:
        plain = {key: value for key, value in given.items() if key not in derived}
        fresh = answers_.resolve_context(template, plain, {}, interactive=False)
        for key in derived:
            if given[key] == str(fresh.get(key)):
                del given[key]
    changed = sorted(key for key, value in settings.items() if given.get(key) != value)
    given.update(settings)
    defaults = {k: v for k, v in answers_.user_defaults().items() if k not in recorded}
    context = answers_.resolve_context(template, given, defaults, interactive=False)
    validator = template.load_validator()
    found = validator(context) if validator else []
    if found:
        raise InvalidInput(found[0][1])
    return context, changed


def _render(
    template: Template, context: Mapping[str, Any], base_record: Mapping[str, Any], into: Path
) -> Path:
    """Render the template into *into* with its record, as ``new`` would have written them.

    The record carries over what the run that made the project added to it
    (``classroom``), so that R differs from the base only where the template does.
    """
    folder = into / "render"
    folder.mkdir()
    project = render_project(template, context, folder)
    extra = {key: value for key, value in base_record.items() if key not in RENDER_KEYS}
    write_record(project, template, context, extra)
    return project


def render_message(template: Template) -> str:
    """Return the message of a render commit R (its trailer is how the next base is found)."""
    return (
        f"Template {template.name} {template.version}, rendered by mlscaffold\n\n"
        "The template's files as mlscaffold renders them with this project's answers.\n"
        "`mlscaffold update` merged this commit; the next update starts from it.\n\n"
        f"{RENDER_TRAILER} {template.name} {template.version}\n"
    )


def _merge_message(header: _Header, changed: list[str]) -> str:
    subject = (
        f"Update to template {header.template} {header.to_version} "
        f"(from {header.from_version}) with mlscaffold"
    )
    return subject + (f"\n\nChanged answers: {', '.join(changed)}\n" if changed else "\n")


def _is_older(version: str, than: str) -> bool:
    """Whether the dotted version *version* is older than *than* (unknown forms: never)."""
    mine, theirs = _version_key(version), _version_key(than)
    return mine is not None and theirs is not None and mine < theirs


def _version_key(version: str) -> tuple[int, ...] | None:
    if not re.fullmatch(r"\d+(\.\d+)*", version.strip()):
        return None
    parts = [int(part) for part in version.strip().split(".")]
    while len(parts) > 1 and parts[-1] == 0:  # 1.0 is 1.0.0
        parts.pop()
    return tuple(parts)


class Repository:
    """The project's repository, worked on with real git through GitPython, one process a call.

    Every call runs with messages in English, no prompt and no hook of the
    user's (the caller's repository-selecting variables are dropped where the
    command starts); a Ctrl-C or a signal ends the git running (and what it
    started).
    """

    def __init__(self, root: Path, git_dir: Path) -> None:
        self.root = root
        self.git_dir = git_dir
        self.env: dict[str, str] = {}

    @classmethod
    def open(cls, folder: Path) -> Repository:
        """Open the repository whose top is *folder*; refuse anything else (``InvalidInput``)."""
        if not folder.is_dir():
            raise InvalidInput(f"{folder} is not a folder")
        root = folder.resolve()
        probe = cls(root, root / ".git")
        code, out, _ = probe.run("rev-parse", "--show-toplevel", "--absolute-git-dir", ok=None)
        lines = out.splitlines()
        if code != 0 or len(lines) != 2:
            raise InvalidInput(f"{folder} is not a git repository (was it made with --no-git?)")
        top, git_dir = Path(lines[0]), Path(lines[1])
        if top.resolve() != root:
            raise InvalidInput(
                f"{folder} is inside the git repository at {top}, not at its top; run update "
                "on the project's own repository"
            )
        return cls(root, git_dir)

    def run(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        ok: tuple[int, ...] | None = (0,),
    ) -> tuple[int, str, str]:
        """Run git with *args*; return its status and output. Raise ``GitError`` if not *ok*."""
        # GitPython adds LC_ALL and LANGUAGE=C; the caller's repository-selecting
        # variables were dropped where the command started (cli).
        full = {"GIT_TERMINAL_PROMPT": "0", **self.env, **(env or {})}
        no_hooks = self.git_dir / "mlscaffold-no-hooks"
        settings = ["-c", f"core.hooksPath={no_hooks}", "-c", "gc.auto=0"]
        settings += ["-c", "maintenance.auto=false", "-c", "core.fsmonitor=false"]
        returncode, out, err = run_git(cwd or self.root, *settings, *args, env=full)
        if ok is not None and returncode not in ok:
            detail = _complaint(err, returncode)
            raise GitError(f"git {_subcommand(args)} failed: {detail}")
        return returncode, out, err

    def out(self, *args: str, **kwargs: Any) -> str:
        """Run git and return what it printed."""
        return self.run(*args, **kwargs)[1]

    def names(self, *args: str, **kwargs: Any) -> list[str]:
        """Run a git command that lists paths with ``-z``; return them."""
        return [name for name in self.out(*args, **kwargs).split("\0") if name]

    def exists(self, revision: str) -> bool:
        """Whether *revision* names a commit here."""
        return self.run("rev-parse", "-q", "--verify", f"{revision}^{{commit}}", ok=None)[0] == 0

    def check_ready(self) -> str:
        """Refuse a repository an update cannot start in; return the current branch."""
        if not self.exists("HEAD"):
            raise InvalidInput(f"{self.root} has no commits")
        for state, finish in (
            (
                "MERGE_HEAD",
                "a merge is in progress (finish it with git commit, or git merge --abort)",
            ),
            ("CHERRY_PICK_HEAD", "a cherry-pick is in progress"),
            ("REVERT_HEAD", "a revert is in progress"),
            ("rebase-merge", "a rebase is in progress"),
            ("rebase-apply", "a rebase or am is in progress"),
        ):
            if (self.git_dir / state).exists():
                raise InvalidInput(f"in {self.root}, {finish}; update starts from a quiet branch")
        code, branch, _ = self.run("symbolic-ref", "-q", "--short", "HEAD", ok=None)
        if code != 0:
            raise InvalidInput(f"{self.root} has a detached HEAD; check out a branch to update")
        # --no-optional-locks: looking must not rewrite the index (a dry run changes nothing).
        dirty = _status_paths(
            self.out(
                "--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=all"
            )
        )
        if dirty:
            shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
            raise InvalidInput(
                f"{self.root} has uncommitted or untracked files ({shown}); commit or stash "
                "them (git stash -u) first, so that the update's merge is all that changes"
            )
        return branch.strip()

    @classmethod
    def bare(cls, git_dir: Path) -> Repository:
        """Return the bare repository at *git_dir* (a classroom sync's copy of a history)."""
        return cls(git_dir, git_dir)

    def find_base(self, ours: str = "HEAD") -> str:
        """Return the last pristine render on *ours*: the latest R, or the initial commit."""
        found = self.out(
            "rev-list", "--topo-order", "-1", "-F", f"--grep={RENDER_TRAILER} ", ours
        ).strip()
        if found:
            return found
        for root in self.out("rev-list", "--max-parents=0", ours).split():
            if self.out("log", "-1", "--format=%s", root).startswith(INITIAL_COMMIT_SUBJECT):
                return root
        raise InvalidInput(
            f"the history of {self.root} holds no commit of mlscaffold's (its first commit, "
            "which holds the pristine render, is not mlscaffold's), so there is no base to "
            "merge from"
        )

    def record_at(self, commit: str) -> dict[str, Any]:
        """Return the ``.mlscaffold.json`` that *commit* holds (empty if none)."""
        return parse_record(self.text_at(commit, RECORD_FILE)) or {}

    def keep_written_blocks(self, render: Path, base: str, ours: str = "HEAD") -> None:
        """Leave the template's side of each block the project wrote itself as the base had it.

        Training writes its results between markers (``<!-- results:start -->``
        and ``<!-- results:end -->`` in README.md and MODEL_CARD.md); a render
        holds a placeholder there, which names the package and whose wording a
        template may change. Where the branch's block differs from the base's
        (it was written), the render's block is set back to the base's, so the
        merge sees no change on the template's side and keeps the branch's;
        where it does not, the new placeholder comes in as any change does.
        """
        for path in sorted(render.rglob("*.md")):
            name = path.relative_to(render).as_posix()
            text = path.read_bytes().decode("utf-8", "surrogateescape")
            if ":start -->" not in text:
                continue
            base_blocks = _blocks(self.text_at(base, name))
            ours_blocks = _blocks(self.text_at(ours, name))
            kept = {
                key: body
                for key, body in base_blocks.items()
                if key in ours_blocks and ours_blocks[key] != body
            }
            if kept:
                path.write_bytes(_with_blocks(text, kept).encode("utf-8", "surrogateescape"))

    def text_at(self, commit: str, path: str) -> str:
        """Return the text of *path* in *commit* (empty if it has none)."""
        code, text, _ = self.run("show", f"{commit}:{path}", ok=None)
        return text if code == 0 else ""

    def use_scratch_objects(self, folder: Path) -> None:
        """Write every object to *folder* from now on; the repository's are read through it."""
        folder.mkdir(parents=True)
        self.env["GIT_OBJECT_DIRECTORY"] = str(folder)
        self.env["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = str(self.git_dir / "objects")

    def tree_of(self, folder: Path, index: Path) -> str:
        """Return the tree of every file in *folder* that the project's .gitignore lets in.

        As the first commit was made: ``git add --all``, the project's own
        ignore rules only (not the user's global excludes file).
        """
        env = {"GIT_INDEX_FILE": str(index)}
        where = ["--git-dir", str(self.git_dir), "--work-tree", str(folder)]
        no_excludes = f"core.excludesFile={self.git_dir / 'mlscaffold-no-excludes'}"
        self.run(*where, "-c", no_excludes, "add", "--all", env=env, cwd=folder)
        return self.out(*where, "write-tree", env=env, cwd=folder).strip()

    def same_render(self, base: str, tree: str, render: Path) -> bool:
        """Whether *tree* is the project *base* holds (the record's mlscaffold version aside)."""
        differing = self.names("diff-tree", "-r", "-z", "--name-only", f"{base}^{{tree}}", tree)
        if not differing:
            return True
        if differing != [RECORD_FILE]:
            return False
        old, new = self.record_at(base), read_record(render) or {}
        return {**old, "mlscaffold_version": ""} == {**new, "mlscaffold_version": ""}

    def commit_tree(self, tree: str, parent: str, message: str, who: str = "HEAD") -> str:
        """Make a render commit: *tree* on top of *parent*, by the one who runs the update.

        Without a git identity, by the author of the commit *who*.
        """
        return self.out(
            "commit-tree", tree, "-p", parent, "-m", message, env=self.identity(who)
        ).strip()

    def identity(self, fallback: str = "HEAD") -> dict[str, str]:
        """Return the author of an update's commits: git's user, else *fallback*'s author."""
        code, name, _ = self.run("config", "--get", "user.name", ok=None)
        code2, email, _ = self.run("config", "--get", "user.email", ok=None)
        if code or code2 or not name.strip() or not email.strip():
            name, email = self.out("log", "-1", "--format=%an%x00%ae", fallback).strip().split("\0")
        name, email = name.strip(), email.strip()
        return {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }

    def paths(self, tree_ish: str) -> set[str]:
        """Every file path in *tree_ish*."""
        return set(self.names("ls-tree", "-r", "-z", "--name-only", tree_ish))

    def trial_merge(self, base: str, render_commit: str, ours: str = "HEAD") -> Changes:
        """Classify every file as merging R into *ours* would leave it, changing nothing."""
        self.require_git(MERGE_TREE_GIT, "--dry-run's trial merge (git merge-tree --write-tree)")
        code, out, _ = self.run(
            *_MERGE_SETTINGS,
            "merge-tree",
            "--write-tree",
            "--name-only",
            "--no-messages",
            "-z",
            ours,
            render_commit,
            ok=(0, 1),
        )
        tree, *conflicted = [name for name in out.split("\0") if name]
        return self.changes(ours, tree, base, render_commit, conflicted)

    def require_git(self, version: tuple[int, int], purpose: str) -> None:
        """Raise ``GitError`` if git is older than *version*, which *purpose* needs."""
        said = self.out("version").strip()
        found = re.search(r"(\d+)\.(\d+)", said)
        if found and (int(found[1]), int(found[2])) < version:
            wanted = ".".join(map(str, version))
            raise GitError(f"{purpose} needs git {wanted} or newer; this is {said}")

    def changes(
        self, before: str, after: str, base: str, render_commit: str, conflicted: list[str]
    ) -> Changes:
        """Classify the files of *after* against *before* (trees, commits, or the ``INDEX``)."""
        conflicting = sorted(set(conflicted) - {RECORD_FILE})  # the record is merged whole
        if after == INDEX:  # a merge stopped on conflicts: what the index holds
            listed = self.names("diff", "--cached", "--no-renames", "--name-status", "-z", before)
            now = set(self.names("ls-files", "-z"))
        else:
            listed = self.names(
                "diff-tree", "-r", "--no-renames", "--name-status", "-z", before, after
            )
            now = self.paths(after)
        status = dict(zip(listed[1::2], listed[0::2], strict=True))
        added = sorted(p for p, s in status.items() if s == "A" and p not in conflicting)
        removed = sorted(p for p, s in status.items() if s == "D" and p not in conflicting)
        updated = sorted(p for p, s in status.items() if s in "MT" and p not in conflicting)
        touched = {*added, *removed, *updated, *conflicting}
        unchanged = sorted(p for p in now if p not in touched)
        base_paths, ours = self.paths(base), self.paths(before)
        kept_deleted = sorted((base_paths - ours) & self.paths(render_commit) - set(conflicting))
        return Changes(added, updated, removed, conflicting, unchanged, kept_deleted)

    def merge(
        self,
        base: str,
        render_commit: str,
        rendered_record: Mapping[str, Any],
        message: str,
        say: Notify,
    ) -> tuple[Outcome, Changes, str | None]:
        """Merge R into the branch; on an interruption or a failure, put everything back."""
        head = self.out("rev-parse", "HEAD").strip()
        added = sorted(self.paths(render_commit) - self.paths(head))
        there_before = {path for path in _with_parents(added) if (self.root / path).exists()}
        began = time.time()
        who = self.identity()  # git merge wants one even when it makes no commit
        try:
            if head == base:  # nothing of the user's since the render: a fast-forward
                self.run(*_MERGE_SETTINGS, "merge", "--ff-only", "-q", render_commit, env=who)
                return (
                    Outcome.UPDATED,
                    self.changes(head, "HEAD", base, render_commit, []),
                    (render_commit),
                )
            code, _, err = self.run(
                *_MERGE_SETTINGS,
                "merge",
                "--no-ff",
                "--no-commit",
                "-q",
                "-m",
                message,
                render_commit,
                env=who,
                ok=(0, 1),
            )
            if not (self.git_dir / "MERGE_HEAD").exists():  # refused, not stopped on conflicts
                raise GitError(f"git merge failed: {_complaint(err, code)}")
            ours = self.record_at(head)
            write_merged_record(self.root, ours, rendered_record)
            self.run("add", "--", RECORD_FILE)
            conflicted = self.names("diff", "--name-only", "--diff-filter=U", "-z")
            if conflicted:
                return (
                    Outcome.CONFLICTS,
                    self.changes(head, INDEX, base, render_commit, conflicted),
                    None,
                )
            say("Committing the merge")
            self.run("commit", "--no-verify", "--no-edit", "-q", env=who)
            return (
                Outcome.UPDATED,
                self.changes(head, "HEAD", base, render_commit, []),
                self.out("rev-parse", "HEAD").strip(),
            )
        except BaseException:
            self.roll_back(head, added, there_before, began)
            raise

    def roll_back(self, head: str, added: list[str], there_before: set[str], began: float) -> None:
        """Put the branch, index and working tree back as they were at *head*.

        The tree was clean when the update began (it refuses otherwise), so a
        hard reset loses nothing of the user's. What the reset cannot see is
        removed too: files a killed git had written but not yet put in the index
        (the template's new files, its temporary files), and their new folders.
        """
        lock = self.git_dir / "index.lock"
        with suppress(OSError):
            if lock.stat().st_mtime >= began - 1:  # left by the git this run just ended
                lock.unlink()
        with suppress(ScaffoldError):
            self.run("reset", "--hard", "-q", head)
        # There were no untracked files when the update began (it refuses otherwise): one
        # made since is the merge's (a temporary file of a killed git, a half-written one).
        with suppress(ScaffoldError):
            for name in self.names("ls-files", "--others", "--exclude-standard", "-z"):
                with suppress(OSError):
                    if (self.root / name).lstat().st_mtime >= began - 1:
                        (self.root / name).unlink()
        for path in reversed(_with_parents(added)):
            if path in there_before:
                continue
            target = self.root / path
            with suppress(OSError):
                if target.is_dir() and not target.is_symlink():
                    target.rmdir()  # only if empty
                elif target.exists() or target.is_symlink():
                    target.unlink()


# Where `changes` looks for the result of a merge that stopped on conflicts.
INDEX = ":index"
# Settings of every merge: a new project name renames the package folder, and a file the
# user added in that folder follows it (git's default would call that a conflict).
_MERGE_SETTINGS = ("-c", "merge.directoryRenames=true")


# A block a project writes itself, e.g. <!-- results:start -->...<!-- results:end -->.
_BLOCK = re.compile(r"(<!-- ([\w-]+):start -->)(.*?)(<!-- \2:end -->)", re.DOTALL)


def _blocks(text: str) -> dict[str, str]:
    """Return the body of each marked block in *text*, by name (the first of a name)."""
    found: dict[str, str] = {}
    for match in _BLOCK.finditer(text):
        found.setdefault(match[2], match[3])
    return found


def _with_blocks(text: str, bodies: Mapping[str, str]) -> str:
    """Return *text* with the blocks named in *bodies* holding those bodies."""
    return _BLOCK.sub(lambda m: m[1] + bodies[m[2]] + m[4] if m[2] in bodies else m[0], text)


def _with_parents(paths: list[str]) -> list[str]:
    """*paths* and every folder above them, parents first."""
    found: set[str] = set()
    for path in paths:
        parts = path.split("/")
        found.update("/".join(parts[: n + 1]) for n in range(len(parts)))
    return sorted(found, key=lambda p: (p.count("/"), p))


def _status_paths(porcelain: str) -> list[str]:
    """Return the paths ``git status --porcelain=v1 -z`` lists (a rename names two)."""
    entries = porcelain.split("\0")
    paths, index = [], 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC" and index < len(entries):
            if entry[0] == "R":
                paths.append(entries[index])  # where it was renamed from: changed too
            index += 1
    return sorted(set(paths))


def _subcommand(args: tuple[str, ...]) -> str:
    """Return the git command *args* run (``merge`` in ``-c x=y merge --no-ff R``)."""
    takes_value = {"-c", "-C", "--git-dir", "--work-tree"}
    index = 0
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] in takes_value else 1
    return args[index] if index < len(args) else "git"


def _complaint(stderr: str, status: int) -> str:
    """Git's own error lines (as gitops reads them), or its exit status when it said nothing."""
    return complaint(stderr) if stderr.strip() else f"exit status {status}"
