"""The ``mlscaffold`` command: click only. Parse, call the library, map errors to exit codes.

Heavy imports (cookiecutter, GitPython) happen inside the commands that need
them, so ``mlscaffold --help`` and completion stay fast.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scaffolder.contract import GITHUB_USER, PACKAGE_NAME
from scaffolder.destination import API_URL_VARIABLE, DEFAULT_API_URL, Destination
from scaffolder.errors import ScaffoldError, display_path, printable

if TYPE_CHECKING:
    from scaffolder.catalog import Template
    from scaffolder.generate import Project

HELP_OPTIONS = ["-h", "--help"]
CONTEXT_SETTINGS = {"help_option_names": HELP_OPTIONS, "max_content_width": 100}


class _ExitError(click.ClickException):
    """A library error on its way out: click prints ``Error: <message>`` and exits with its code."""

    def __init__(self, message: str, exit_code: int) -> None:
        # One line, whatever a server, a file or a value put into the message.
        super().__init__(printable(message))
        self.exit_code = exit_code  # type: ignore[misc]  # click's per-class default, set per error


class _Group(click.Group):
    """The command group; turns every ``ScaffoldError`` into a one-line error, in one place."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # `classroom TEMPLATE ...` is the command it always was; `classroom sync|collect`
        # and `classroom --help` are the group's. So a template named sync or collect
        # is out of reach of `classroom` (`new` still takes it).
        if args and args[0] == "classroom" and not _is_classroom_group(args[1:]):
            return "classroom", classroom, args[1:]
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        from scaffolder.gitops import forget_callers_repository

        # A command works only on repositories it names by path: git must not follow a
        # GIT_DIR or GIT_INDEX_FILE of its caller's (a hook's) into another repository.
        forget_callers_repository()
        try:
            return super().invoke(ctx)
        except ScaffoldError as exc:
            # A note the library added on the way up (e.g. where the project was kept).
            message = " ".join([str(exc), *getattr(exc, "__notes__", [])])
            raise _ExitError(message, exc.exit_code) from None


def _is_classroom_group(args: list[str]) -> bool:
    """Whether ``classroom`` with *args* is one of its commands (or its own help)."""
    help_only = len(args) == 1 and args[0] in HELP_OPTIONS
    return help_only or (bool(args) and args[0] in classroom_group.commands)


def _complete_template(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    from scaffolder.catalog import template_names

    try:
        names = template_names()
    except ScaffoldError:  # e.g. MLSCAFFOLD_TEMPLATES names no folder: nothing to offer
        return []
    return [
        click.shell_completion.CompletionItem(name) for name in names if name.startswith(incomplete)
    ]


def _parse_settings(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    settings: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not of the form KEY=VALUE", ctx, param)
        settings[key.strip()] = value
    return settings


# click.Choice is generic in click's stubs only from 8.2; the ignore keeps 8.1 working too.
class _LicenceChoice(click.Choice):  # type: ignore[type-arg]
    """The licences the bundled templates offer, read from them when first needed.

    Lazily, so that ``mlscaffold --help`` and completion read no template.
    """

    def __init__(self) -> None:
        super().__init__((), case_sensitive=False)

    @property
    def choices(self) -> tuple[str, ...]:
        from scaffolder.contract import licence_choices

        return licence_choices()

    @choices.setter
    def choices(self, value: object) -> None:
        pass  # click.Choice.__init__ sets the (empty) choices given to it


def _typed_only(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Return the option's value if it was typed on the command line, else None.

    The library then applies its own default, and reads ``GITHUB_API_URL``
    itself (an empty one is refused, not taken for github.com): so the
    commands can tell an option given from one left out.
    """
    source = ctx.get_parameter_source(param.name or "")
    return value if source is click.core.ParameterSource.COMMANDLINE else None


def _settings_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--set KEY=VALUE`` (repeatable): template variables, as a dict."""
    return click.option(
        "--set",
        "settings",
        multiple=True,
        metavar="KEY=VALUE",
        callback=_parse_settings,
        help=help_text,
    )


def _trust_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--trust``: let a template from a folder or a git repository run its own code."""
    return click.option(
        "--trust",
        is_flag=True,
        help="Trust the template for this run: its hooks run and its Jinja extensions load "
        "(a folder's or a repository's template has neither without it; exit status 4 says so).",
    )(command)


def _ref_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--ref``: a branch, a tag or a commit of a git source."""
    return click.option("--ref", metavar="REF", help=help_text)


def _source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--ref``, ``--directory`` and ``--trust``: where in its source a template is."""
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        _ref_option(
            "The branch, tag or commit of a git SOURCE (or SOURCE@REF) [default: its default "
            "branch]."
        ),
        click.option(
            "--directory",
            metavar="SUB",
            help="The template is in this subfolder of SOURCE (e.g. templates/course).",
        ),
        _trust_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


SOURCE_HELP = """
SOURCE is a template of `mlscaffold list`, a folder holding a cookiecutter.json,
gh:OWNER/REPO, or a git URL (https://..., git@host:path, file://...). A folder's
or a repository's template renders in a sandbox and may not run code of its own
(hooks, Jinja extensions) unless you give --trust or list it in ~/.config/
mlscaffold/config.toml ([trust] sources = ["gh:my-bootcamp/"])."""


# DIRECTORY of publish and update: a generated project, here by default.
_project_argument = click.argument(
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    required=False,
)


def _output_dir_option(
    default: Path, help_text: str, *, file_okay: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-o/--output-dir``: the folder that receives what a command generates."""
    return click.option(
        "-o",
        "--output-dir",
        type=click.Path(file_okay=file_okay, path_type=Path),
        default=default,
        show_default=True,
        help=help_text,
    )


def _visibility_option(
    public: bool, help_text: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--public/--private``: True or False as typed, None when left out."""
    return click.option(
        "--public/--private",
        default=public,
        show_default=True,
        callback=_typed_only,
        help=help_text,
    )


def _api_url_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--api-url``: as typed, None when left out (the library reads GITHUB_API_URL)."""
    return click.option(
        "--api-url",
        envvar=API_URL_VARIABLE,
        show_envvar=True,
        callback=_typed_only,
        help=f"GitHub API root [default: {DEFAULT_API_URL}]; for GitHub Enterprise Server, "
        "https://HOST/api/v3.",
    )(command)


def _publishing_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options that say where and how to publish (``publish``, and ``new --publish``)."""
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.option("--org", help="Create the repository in this organisation, not your account."),
        _visibility_option(True, "Who can see the repository."),
        click.option(
            "--template-repo",
            is_flag=True,
            help="Mark it as a template repository (for instructors).",
        ),
        _api_url_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _destination(
    org: str | None, public: bool | None, template_repo: bool, api_url: str | None
) -> Destination:
    return Destination(
        org=org,
        private=None if public is None else not public,
        template_repo=template_repo,
        api_url=api_url,
    )


@click.group("mlscaffold", cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="mlscaffold-portfolio", prog_name="mlscaffold")
def cli() -> None:
    """Generate machine-learning portfolio projects that work the moment they exist.

    Each project trains a real model offline in seconds, has tests that pass, a CI
    workflow, a model card, and a README whose results come from the actual run.

    \b
    Start here:
      mlscaffold list                       the templates
      mlscaffold new fraud-detection        generate, git init, first commit

    Shell completion: eval "$(_MLSCAFFOLD_COMPLETE=bash_source mlscaffold)"
    (zsh_source and fish_source for other shells).
    """


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the templates as JSON.")
def list_command(as_json: bool) -> None:
    """List the templates: the problem each solves, its data, its model, its training time."""
    from scaffolder.catalog import list_templates, template_source

    templates = list_templates()
    if as_json:
        fields = ("name", "version", "summary", "dataset", "model", "training_time")
        rows = [
            {
                **{f: getattr(t, f) for f in fields},
                "source": template_source(t)["kind"],
                "path": str(t.path),
            }
            for t in templates
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for index, template in enumerate(templates):
        if index:
            click.echo()
        click.secho(template.name, bold=True, nl=False)
        click.echo(f"  {template.summary}")
        if template_source(template)["kind"] != "bundled":
            click.echo(f"  from   {template.path}")
        click.echo(f"  data   {template.dataset}")
        click.echo(f"  model  {template.model}")
        click.echo(f"  train  {template.training_time}")


@cli.command()
@click.argument("source", metavar="SOURCE", shell_complete=_complete_template)
@click.argument("name", required=False)
@_source_options
@_output_dir_option(Path("."), "Folder to create the project in.")
@click.option("--no-input", is_flag=True, help="Use defaults and the options given; never prompt.")
@_settings_option("Set any template variable (repeatable), e.g. --set random_seed=7.")
@click.option("--author", help="Author name (default: git's user.name).")
@click.option("--email", help="Author email (default: git's user.email).")
@click.option(
    "--github-user",
    help="GitHub account for the CI badge and links (default: gh's login, else git's "
    "github.user); publish points them at the repository it creates.",
)
@click.option(
    "--license",
    "license_",
    type=_LicenceChoice(),
    help="Licence of the project [default: MIT].",
)
@click.option("--no-git", is_flag=True, help="Do not create a git repository.")
@click.option(
    "--train",
    is_flag=True,
    help="Before the first commit: make .venv in the project (uv if there, else pip), install it, "
    "run its tests and its training, so that the commit holds the results.",
)
@click.option(
    "--publish",
    "publish_",
    is_flag=True,
    help="Then create a GitHub repository for it and push, as `mlscaffold publish` does; "
    "the four options below say where.",
)
@_publishing_options
@click.option("--dry-run", is_flag=True, help="Print the files it would write; write nothing.")
def new(
    source: str,
    name: str | None,
    ref: str | None,
    directory: str | None,
    trust: bool,
    output_dir: Path,
    no_input: bool,
    settings: dict[str, str],
    author: str | None,
    email: str | None,
    github_user: str | None,
    license_: str | None,
    no_git: bool,
    train: bool,
    publish_: bool,
    org: str | None,
    public: bool | None,
    template_repo: bool,
    api_url: str | None,
    dry_run: bool,
) -> None:
    """Generate a project from SOURCE, named NAME (default: the template's name).

    The project goes into a folder named after NAME's slug, inside --output-dir.
    It is a git repository on branch main with one commit of every file.
    Options override --set; on a terminal, without --no-input, you are asked for
    each variable with these values as defaults.

    SOURCE is a template of `mlscaffold list`, a folder holding a cookiecutter.json,
    gh:OWNER/REPO, or a git URL (https://..., git@host:path, file://...). A template
    from a folder or a repository renders in Jinja's sandbox and may not run code of
    its own (hooks, Jinja extensions, links out of it) unless you give --trust or
    list it in your config file, ~/.config/mlscaffold/config.toml:
    [trust] sources = ["gh:my-bootcamp/"]. Fetched repositories are cached.

    \b
    Examples:
      mlscaffold new fraud-detection
      mlscaffold new medical-diagnosis --train --publish
      mlscaffold new fraud-detection "Card Fraud Radar" --author "Ada Lovelace" \\
          --email ada@example.com --github-user ada --no-input
      mlscaffold new medical-diagnosis --dry-run
      mlscaffold new gh:my-bootcamp/templates@2026 --directory week-1
      mlscaffold new ~/my-template --trust
    """
    from scaffolder.contract import AUTHOR_EMAIL, AUTHOR_NAME, PROJECT_NAME, given_answers
    from scaffolder.destination import check_new_options
    from scaffolder.generate import ProjectRequest, create_project, preview_project
    from scaffolder.sources import SourceRequest, open_template
    from scaffolder.train_step import TrainOptions
    from scaffolder.trust import HOOK_NAMES

    # Open (a fetched template: checked out) until the command ends, then removed.
    request_source = SourceRequest(source, ref, directory, trust, preview=dry_run)
    template = click.get_current_context().with_resource(open_template(request_source, _notify))
    destination = _destination(org, public, template_repo, api_url)
    check_new_options(publish_, not no_git, destination)
    for option, value, variable in (
        ("NAME", name, PROJECT_NAME),
        ("--github-user", github_user, GITHUB_USER),
        ("--license", license_, "license"),
    ):
        if value is not None and variable not in template.variables:
            raise click.UsageError(
                f"{option}: template {template.name} has no {variable} variable (its "
                f"variables: {', '.join(template.variables) or 'none'}); use --set"
            )
    # A template that asks for no author (a third party's): they author the first commit.
    commit_author = (
        None if AUTHOR_NAME in template.variables else author,
        None if AUTHOR_EMAIL in template.variables else email,
    )
    answers = given_answers(
        settings,
        project_name=name,
        author_name=author if commit_author[0] is None else None,
        author_email=email if commit_author[1] is None else None,
        github_user=github_user,
        license_=license_,
    )
    request = ProjectRequest(
        template=template,
        output_dir=output_dir,
        answers=answers,
        no_input=no_input or not sys.stdin.isatty(),
        git=not no_git,
        train=TrainOptions(echo=_notify) if train else None,
        commit_author=commit_author,
        notify=_notify,
    )
    if dry_run:
        # Refused now, as the real run refuses them before writing: a bad --api-url or --org.
        api = destination.api() if publish_ else None
        project = preview_project(request)
        click.echo(
            f"Would create {project.path} from {template.described} ({len(project.files)} files):"
        )
        for file in project.files:
            click.echo(f"  {file}")
        hooks = [p.name for h in HOOK_NAMES for p in template.hook_files(h)]
        if hooks:
            click.echo(f"Would run the template's hooks (not run now): {', '.join(hooks)}")
        untrusted_hooks = [] if template.trusted else template.hook_names()
        if untrusted_hooks:
            click.echo(
                f"Its hooks need --trust to run (none ran): {', '.join(untrusted_hooks)}; "
                "without it, the real run is refused (exit status 4)"
            )
        if train:
            click.echo(
                "Would make .venv in it, install it with its dev extra, run its tests and "
                "train it, so that the first commit holds the results."
            )
        if request.git:
            click.echo(
                f"Would run git init (branch main) and commit every file as {project.author}."
            )
        if api is not None:
            click.echo(
                f"Would then publish it through {api}, as `mlscaffold publish` does "
                "(its --dry-run lists the calls, once the project exists)."
            )
        click.echo("Nothing was written.")
        return

    def created(project: Project) -> None:
        _echo_created(project, template.described, publishing=publish_)

    if publish_:
        # Imported here: `new` without --publish should not pay for the HTTP client.
        from scaffolder.publish import create_and_publish

        project, published = create_and_publish(request, destination, _notify, created=created)
        click.echo(f"  published at {published.url}")
    else:
        project = create_project(request)
        created(project)
    _echo_next(project, template)


@cli.command()
@_project_argument
@click.option("--name", help="Repository name (default: the folder's name).")
@_publishing_options
@click.option("--description", help="Repository description (default: the project's).")
@click.option("--homepage", help="Repository homepage (default: the project's, if any).")
@click.option(
    "--remote",
    metavar="URL",
    help="Push to this existing git remote instead (GitLab, your own server): no GitHub API call.",
)
@click.option(
    "--existing", is_flag=True, help="Push into a repository of that name that exists and is empty."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Make the same checks and look-ups (reads only); print the changes it would make.",
)
def publish(
    directory: Path,
    name: str | None,
    org: str | None,
    public: bool | None,
    template_repo: bool,
    description: str | None,
    homepage: str | None,
    api_url: str | None,
    remote: str | None,
    existing: bool,
    dry_run: bool,
) -> None:
    """Create a GitHub repository for DIRECTORY (default: here), set origin, and push main.

    The token is the one of the API's host: for github.com GITHUB_TOKEN, GH_TOKEN or
    `gh auth token`; for GitHub Enterprise GH_ENTERPRISE_TOKEN or `gh auth token
    --hostname HOST`. It is passed to git for the push only, through its environment:
    it is never written to the remote URL, .git/config, a file or a log, nor sent to
    another host. Running it again after a failure finishes the job without creating
    a second repository.

    \b
    Examples:
      mlscaffold publish fraud-detection
      mlscaffold publish --org my-bootcamp --private --template-repo
      mlscaffold publish --remote git@gitlab.com:me/fraud-detection.git
    """
    from scaffolder.publish import PublishRequest
    from scaffolder.publish import publish as publish_project

    request = PublishRequest(
        project=directory,
        destination=_destination(org, public, template_repo, api_url),
        name=name,
        description=description,
        homepage=homepage,
        remote=remote,
        existing=existing,
    )
    published = publish_project(request, notify=_notify, pretend=dry_run)
    if dry_run:
        click.echo("Would publish:")
        for line in published.steps:
            click.echo(f"  {line}")
        click.echo("Nothing was done.")
        return
    verb = "Created and pushed" if published.created else "Pushed"
    click.secho(f"{verb}: {published.url}", bold=True)


def _roster_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--roster``: the class's CSV."""
    return click.option(
        "--roster", required=True, type=click.Path(dir_okay=False, path_type=Path), help=help_text
    )


def _jobs_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--jobs``: how many students are worked on at once."""
    return click.option(
        "--jobs", type=click.IntRange(1, 16), default=4, show_default=True, help=help_text
    )


@click.command()
@click.argument("source", metavar="SOURCE", shell_complete=_complete_template)
@_source_options
@_roster_option(
    "CSV with a header: a 'github' and/or 'name' column, optionally 'email' and any "
    "template variable."
)
@click.option("--prefix", help="Repository name prefix, e.g. ml-fraud-2026 [default: TEMPLATE].")
@_output_dir_option(
    Path("classroom"), "Folder for the students' repositories and the report.", file_okay=False
)
@_settings_option("Set a template variable for every student (repeatable).")
@click.option("--publish", "publish_", is_flag=True, help="Create, push and share each repository.")
@click.option("--org", help="With --publish: the organisation that owns the repositories.")
@_visibility_option(False, "With --publish: visibility.")
@_jobs_option(
    "Students worked on at once (generating: processes; publishing: connections, "
    "whose API writes still take turns)."
)
@_api_url_option
def classroom(
    source: str,
    ref: str | None,
    directory: str | None,
    trust: bool,
    roster: Path,
    prefix: str | None,
    output_dir: Path,
    settings: dict[str, str],
    publish_: bool,
    org: str | None,
    public: bool | None,
    jobs: int,
    api_url: str | None,
) -> None:
    """Make one personalised starter repository per student in ROSTER, from SOURCE.

    Each student gets PREFIX-HANDLE, generated with them as the author and a random
    seed of their own, with its own git history. With --publish --org ORG, each is
    created in ORG (private by default), pushed, and the student is added as a
    collaborator with push access. Bad rows are reported and the others go on;
    the exit status is 1 if any row failed. A report (CSV and JSON) is written to
    the output folder after every student: run the same command again after an
    interruption and it finishes the job without doing anything twice. SOURCE is
    what `mlscaffold new` takes: a template's name, a folder, gh:OWNER/REPO or a git URL.

    \b
    roster.csv:
      github,name,email
      ada-l,Ada Lovelace,ada@example.com
      ghopper,Grace Hopper,
    \b
      mlscaffold classroom fraud-detection --roster roster.csv --prefix ml-fraud-2026
      mlscaffold classroom fraud-detection --roster roster.csv --prefix ml-fraud-2026 \\
          --publish --org my-bootcamp --jobs 4
    """
    from scaffolder.classroom import (
        REPORT_CSV,
        REPORT_JSON,
        ClassroomRequest,
        Status,
        run_classroom,
    )
    from scaffolder.sources import SourceRequest, open_template

    with open_template(SourceRequest(source, ref, directory, trust), _notify) as template:
        request = ClassroomRequest(
            template=template,
            roster=roster,
            output_dir=output_dir,
            prefix=prefix or template.name,
            settings=settings,
            publish=publish_,
            org=org,
            private=None if public is None else not public,
            jobs=jobs,
            api_url=api_url,
        )
        results = run_classroom(request, notify=_notify, phase=_progress)
    done = "published" if publish_ else "generated"
    failed = [r for r in results if r.status is Status.FAILED]
    click.echo(f"{len(results) - len(failed)} of {len(results)} students {done}.")
    for row in failed:
        click.echo("  " + printable(f"line {row.line} ({row.student}): {row.error}"), err=True)
    click.echo(printable(f"Report: {output_dir / REPORT_CSV} and {output_dir / REPORT_JSON}"))
    if failed:
        sys.exit(1)


class _ClassroomGroup(click.Group):
    """``classroom``: the command that makes the starter repositories, and the term's commands."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return ["SOURCE [OPTIONS] | COMMAND [ARGS]..."]


@cli.group("classroom", cls=_ClassroomGroup)
def classroom_group() -> None:
    """Make one personalised starter repository per student in ROSTER, from SOURCE.

    Then, during the term, bring a template fix to every student as a pull
    request (sync) and clone everyone's work for marking (collect). Each takes
    the roster, --prefix and --org of the class's first run.

    \b
    Day one (see `mlscaffold classroom SOURCE --help`):
      mlscaffold classroom fraud-detection --roster roster.csv --prefix ml-fraud-2026 \\
          --publish --org my-bootcamp
    During the term:
      mlscaffold classroom sync --roster roster.csv --prefix ml-fraud-2026 --org my-bootcamp
      mlscaffold classroom collect --roster roster.csv --prefix ml-fraud-2026 \\
          --org my-bootcamp -o marking --at 2026-11-30T23:59:00+01:00
    """


def _class_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options that name a published class's repositories: ORG/PREFIX-HANDLE."""
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        _roster_option("The class's roster, as given to `mlscaffold classroom`."),
        click.option(
            "--prefix", required=True, help="The repository name prefix the class was made with."
        ),
        click.option("--org", required=True, help="The organisation that owns the repositories."),
        _api_url_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


@classroom_group.command("sync")
@_class_options
@_output_dir_option(
    Path("classroom"),
    "Folder for the report (and the copies of the students' histories it fetches).",
    file_okay=False,
)
@_jobs_option("Students worked on at once (their API writes still take turns).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Fetch and compute every pull request; push, open and write nothing.",
)
@_trust_option
def classroom_sync(
    roster: Path,
    prefix: str,
    org: str,
    api_url: str | None,
    output_dir: Path,
    jobs: int,
    dry_run: bool,
    trust: bool,
) -> None:
    """Bring the template's current version to every student as one pull request.

    For each ORG/PREFIX-HANDLE, the update is computed as `mlscaffold update`
    computes it and pushed as the branch mlscaffold/update-VERSION, with one pull
    request into the default branch, which is never pushed to (nor is anything
    force-pushed). A file only the student changed is never touched; a student
    whose edits conflict still gets the pull request, and the report says
    `conflict`: the change is delivered when they merge it. Run it again at any
    time: an up-to-date pull request is left alone, a newer template version
    supersedes the older pull request. The exit status is 1 if any student failed.

    \b
    Example:
      mlscaffold classroom sync --roster roster.csv --prefix ml-fraud-2026 \\
          --org my-bootcamp --dry-run
    """
    from scaffolder.class_repos import ClassRepositories
    from scaffolder.sync import REPORT_CSV, REPORT_JSON, SyncRequest, SyncStatus, run_sync
    from scaffolder.update import SourceOptions

    repositories = ClassRepositories(roster, prefix, org, api_url, jobs)
    request = SyncRequest(repositories, output_dir, dry_run, SourceOptions(trust=trust))
    rows = run_sync(request, notify=_notify)
    counts = {status: sum(row.status is status for row in rows) for status in SyncStatus}
    said = ", ".join(f"{n} {status.value}" for status, n in counts.items() if n)
    click.echo(f"{len(rows)} students: {said}.")
    for row in rows:
        if row.status is SyncStatus.CONFLICT:
            click.echo("  " + printable(f"line {row.line} ({row.student}): {row.note}"))
        elif row.status is SyncStatus.FAILED:
            click.echo("  " + printable(f"line {row.line} ({row.student}): {row.error}"), err=True)
    if dry_run:
        for row in rows:
            if row.status in (SyncStatus.WOULD_OPEN, SyncStatus.WOULD_UPDATE):
                click.echo("  " + printable(f"{row.repository}: {row.note}"))
        click.echo("Nothing was pushed, opened or written.")
    else:
        click.echo(printable(f"Report: {output_dir / REPORT_CSV} and {output_dir / REPORT_JSON}"))
    if counts[SyncStatus.FAILED]:
        sys.exit(1)


@classroom_group.command("collect")
@_class_options
@click.option(
    "-o",
    "--output-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the students' clones (one folder each) and the report.",
)
@click.option(
    "--at",
    metavar="ISO-8601",
    help="Check out the commit that was the head at this time, e.g. a deadline "
    "2026-11-30T23:59:00+01:00 (no offset: this machine's time zone).",
)
@_jobs_option("Students cloned at once.")
def classroom_collect(
    roster: Path,
    prefix: str,
    org: str,
    api_url: str | None,
    output_dir: Path,
    at: str | None,
    jobs: int,
) -> None:
    """Clone every student's repository, at the head of its default branch or at a moment.

    Each ORG/PREFIX-HANDLE goes to OUTPUT_DIR/PREFIX-HANDLE; one that is there
    already is fetched and moved on (never cloned twice, and never with local
    changes overwritten). With --at, the commit is the one that was the head at
    that time by GitHub's record of pushes where it keeps one, else by commit
    time, which the student's machine sets: the report says which. A missing
    repository, or one the token cannot see, is a row of the report; the exit
    status is 1 if any student failed or is missing.

    \b
    Example:
      mlscaffold classroom collect --roster roster.csv --prefix ml-fraud-2026 \\
          --org my-bootcamp -o marking --at 2026-11-30T23:59:00+01:00
    """
    from scaffolder.class_repos import ClassRepositories
    from scaffolder.collect import (
        COMMIT_TIME,
        REPORT_CSV,
        REPORT_JSON,
        CollectRequest,
        CollectStatus,
        parse_time,
        run_collect,
    )

    repositories = ClassRepositories(roster, prefix, org, api_url, jobs)
    moment = parse_time(at) if at is not None else None
    rows = run_collect(CollectRequest(repositories, output_dir, moment), notify=_notify)
    counts = {status: sum(row.status is status for row in rows) for status in CollectStatus}
    said = ", ".join(f"{n} {status.value}" for status, n in counts.items() if n)
    click.echo(f"{len(rows)} students: {said}.")
    bad = (CollectStatus.FAILED, CollectStatus.MISSING, CollectStatus.NO_COMMITS)
    for row in rows:
        if row.status in bad:
            click.echo("  " + printable(f"line {row.line} ({row.student}): {row.error}"), err=True)
    if moment is not None:
        click.echo(
            f"Chosen at {moment.isoformat()} by GitHub's push times where it records them; "
            "commit times are set by the student's machine"
            + (
                " (the rows chosen by commit time say so)."
                if any(row.chosen_by == COMMIT_TIME for row in rows)
                else "."
            )
        )
    click.echo(printable(f"Report: {output_dir / REPORT_CSV} and {output_dir / REPORT_JSON}"))
    if counts[CollectStatus.FAILED] or counts[CollectStatus.MISSING]:
        sys.exit(1)


@cli.command()
@_project_argument
@_settings_option(
    "Change an answer (repeatable), e.g. --set project_name='Card Radar' renames the package."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Say what each file would become (a trial merge); change nothing.",
)
@_ref_option(
    "For a template from a git repository: the branch, tag or commit to update to "
    "[default: the branch the project followed, else the default branch's newest commit]."
)
@_trust_option
@click.option("--json", "as_json", is_flag=True, help="Print the outcome and every file as JSON.")
def update(
    directory: Path,
    settings: dict[str, str],
    dry_run: bool,
    ref: str | None,
    trust: bool,
    as_json: bool,
) -> None:
    """Bring DIRECTORY (default: here) up to its template's current version, with git's merge.

    The template is rendered again with the answers in .mlscaffold.json (and
    --set) and merged into the current branch by git, from the pristine render
    that mlscaffold committed: your edits are kept, the template's changes come
    in, files it added appear, files it removed go if you never touched them,
    files you deleted stay deleted. A clean update is one merge commit. On
    conflicts it stops in git's merge state with exit status 3: resolve them and
    `git commit`, or `git merge --abort`. Templates of your own: MLSCAFFOLD_TEMPLATES.
    A template from a folder or a git repository is read again from there (fetched
    anew), and its trust checked again: give --trust if it has hooks (a trusted
    template's hooks run in a scratch folder, with --dry-run too).

    \b
    Examples:
      mlscaffold update --dry-run
      mlscaffold update fraud-detection
      mlscaffold update --set project_name="Card Fraud Radar"
    """
    from scaffolder.errors import UpdateConflicts
    from scaffolder.update import (
        Outcome,
        SourceOptions,
        UpdateRequest,
        conflict_message,
        summary,
        update_project,
    )

    request = UpdateRequest(
        project=directory,
        settings=settings,
        dry_run=dry_run,
        source=SourceOptions(ref=ref, trust=trust),
    )
    result = update_project(request, notify=None if as_json else _notify)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        for line in summary(result):
            click.echo(line)
    if result.outcome is Outcome.CONFLICTS:
        raise UpdateConflicts(conflict_message(result))


@cli.command()
@click.argument(
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    required=False,
)
@click.option("--json", "as_json", is_flag=True, help="Print a list of {check, passed, detail}.")
def check(directory: Path, as_json: bool) -> None:
    """Say whether the repository DIRECTORY (default: here) is ready to show: one line a check.

    Results filled in, no placeholder author, email or GitHub user, a licence, a CI
    workflow with a job (checked by actionlint when it is installed), a valid
    CITATION.cff, at least one commit and a clean tree, no tracked file over 10 MB,
    no tracked token or private key (shown redacted), nothing tracked under
    data/raw/, and tests. Exit status 0 when every check passes, 1 otherwise.

    \b
    Examples:
      mlscaffold check
      mlscaffold check fraud-detection --json
    """
    from scaffolder.check import all_passed, check_repository

    results = check_repository(directory)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in results], indent=2, ensure_ascii=False))
    else:
        for result in results:
            verdict = (
                click.style("pass", fg="green") if result.passed else click.style("FAIL", fg="red")
            )
            click.echo(f"{verdict}  {result.check:15} {printable(result.detail)}")
    if not all_passed(results):
        sys.exit(1)


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[], None]]:
    """Show a click progress bar on stderr (click draws it only on a terminal)."""
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield lambda: bar.update(1)


def _echo_created(project: Project, template: str, *, publishing: bool) -> None:
    """Report the project ``new`` created (from *template*, as described), and what it lacks."""
    shown = display_path(project.path)
    click.secho(f"Created {shown} from template {template}", bold=True)
    details = f"  {len(project.files)} files"
    if project.commit:
        details += f", first commit {project.commit[:7]} on main by {project.author}"
    click.echo(details)
    if project.trained is not None:
        click.echo(
            f"  installed ({project.trained.installer}), tested and trained: the results are "
            "in the first commit"
            if project.commit
            else "  installed, tested and trained"
        )
    if project.uncommitted:
        click.echo(
            f"  not committed, as the project's .gitignore says: {', '.join(project.uncommitted)}"
        )
    if project.author_is_placeholder:
        click.echo(
            f"Note: no author given and git has no user.name/user.email, so the author is "
            f"{project.author}. Pass --author and --email next time, or edit LICENSE, "
            "CITATION.cff and pyproject.toml.",
            err=True,
        )
    if project.links_are_placeholder and not publishing:
        click.echo(
            "Note: no GitHub user given (--github-user) and none found in gh's or git's config "
            "(git config --global github.user NAME), so the CI badge and links name "
            f"{project.context[GITHUB_USER]}; `mlscaffold publish` points them at the "
            "repository it creates.",
            err=True,
        )


def _echo_next(project: Project, template: Template) -> None:
    """Print the commands that come next: set up and train, or (trained) look at the results."""
    shown = display_path(project.path)
    package = project.context.get(PACKAGE_NAME, "")
    click.echo("\nNext:")
    click.echo(f"  cd {shlex.quote(shown)}")
    if project.trained is not None:
        click.echo(f"  . .venv/bin/activate    # installed with {project.trained.installer}")
        click.echo("  git show --stat         # the results are in the first commit")
        return
    if not template.made_for_mlscaffold:  # a third party's: its own README says what is next
        click.echo("  # see its README")
        return
    click.echo(f"  python -m venv .venv && . .venv/bin/activate && {template.setup_command}")
    click.echo(f"  python -m {package} train    # trains, then fills in the README's results")


def _notify(message: str) -> None:
    """Print a progress line of the library on stderr, as one printable line."""
    click.echo(printable(message), err=True)


def main() -> None:
    """Run the ``mlscaffold`` command (the console-script entry point)."""
    from scaffolder.interrupts import stop_cleanly_on_termination

    stop_cleanly_on_termination()
    cli(prog_name="mlscaffold")
