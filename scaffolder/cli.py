"""The ``mlscaffold`` command: click only. Parse, call the library, map errors to exit codes.

Heavy imports (cookiecutter, GitPython) happen inside the commands that need
them, so ``mlscaffold --help`` and completion stay fast.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scaffolder.errors import InvalidInput, ScaffoldError, printable

if TYPE_CHECKING:
    from scaffolder.credentials import Token
    from scaffolder.publish import Published, PublishRequest

LICENSES = ("MIT", "Apache-2.0", "BSD-3-Clause", "none")
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _ExitError(click.ClickException):
    """A library error on its way out: click prints ``Error: <message>`` and exits with its code."""

    def __init__(self, message: str, exit_code: int) -> None:
        # One line, whatever a server, a file or a value put into the message.
        super().__init__(printable(message))
        self.exit_code = exit_code


class _Group(click.Group):
    """The command group; turns every ``ScaffoldError`` into a one-line error, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ScaffoldError as exc:
            raise _ExitError(str(exc), exc.exit_code) from None


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


def _publishing_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options that say where and how to publish (``publish``, and ``new --publish``)."""
    options = [
        click.option("--org", help="Create the repository in this organisation, not your account."),
        click.option(
            "--public/--private",
            default=True,
            show_default=True,
            help="Who can see the repository.",
        ),
        click.option(
            "--template-repo",
            is_flag=True,
            help="Mark it as a template repository (for instructors).",
        ),
        click.option(
            "--api-url",
            envvar="GITHUB_API_URL",
            show_envvar=True,
            help="GitHub API root [default: https://api.github.com]; for GitHub Enterprise "
            "Server, https://HOST/api/v3.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


# The publishing options of `new` as they are spelled on the command line.
_PUBLISHING_FLAGS = {"org": "--org", "template_repo": "--template-repo", "api_url": "--api-url"}


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
@click.argument("template", shell_complete=_complete_template)
@click.argument("name", required=False)
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to create the project in.",
)
@click.option("--no-input", is_flag=True, help="Use defaults and the options given; never prompt.")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_parse_settings,
    help="Set any template variable (repeatable), e.g. --set random_seed=7.",
)
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
    type=click.Choice(LICENSES, case_sensitive=False),
    help="Licence of the project [default: MIT].",
)
@click.option("--no-git", is_flag=True, help="Do not create a git repository.")
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
    template: str,
    name: str | None,
    output_dir: Path,
    no_input: bool,
    settings: dict[str, str],
    author: str | None,
    email: str | None,
    github_user: str | None,
    license_: str | None,
    no_git: bool,
    publish_: bool,
    org: str | None,
    public: bool,
    template_repo: bool,
    api_url: str | None,
    dry_run: bool,
) -> None:
    """Generate a project from TEMPLATE, named NAME (default: the template's name).

    The project goes into a folder named after NAME's slug, inside --output-dir.
    It is a git repository on branch main with one commit of every file.
    Options override --set; on a terminal, without --no-input, you are asked for
    each variable with these values as defaults.

    \b
    Examples:
      mlscaffold new fraud-detection
      mlscaffold new fraud-detection "Card Fraud Radar" --author "Ada Lovelace" \\
          --email ada@example.com --github-user ada --no-input
      mlscaffold new medical-diagnosis --dry-run
    """
    from scaffolder.catalog import get_template
    from scaffolder.generate import ProjectRequest, create_project, preview_project

    if publish_ and no_git:
        raise click.UsageError("--publish needs git; leave out --no-git")
    if not publish_:
        _refuse_publishing_options(public)
    # Where and as whom to publish is settled before anything is written.
    publishing = _publishing_settings(api_url, org) if publish_ and not dry_run else None
    answers = dict(settings)
    for key, value in (
        ("project_name", name),
        ("author_name", author),
        ("author_email", email),
        ("github_username", github_user),
        ("license", license_),
    ):
        if value is not None:
            answers[key] = value
    request = ProjectRequest(
        template=get_template(template),
        output_dir=output_dir,
        answers=answers,
        no_input=no_input or not sys.stdin.isatty(),
        git=not no_git,
    )
    if dry_run:
        project = preview_project(request)
        click.echo(
            f"Would create {project.path} from {template} {request.template.version} "
            f"({len(project.files)} files):"
        )
        for file in project.files:
            click.echo(f"  {file}")
        if request.git:
            click.echo(
                f"Would run git init (branch main) and commit every file as {project.author}."
            )
        click.echo("Nothing was written.")
        return

    project = create_project(request)
    shown = _display_path(project.path)
    click.secho(f"Created {shown} from template {template} {request.template.version}", bold=True)
    details = f"  {len(project.files)} files"
    if project.commit:
        details += f", first commit {project.commit[:7]} on main by {project.author}"
    click.echo(details)
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
    if project.links_are_placeholder and publishing is None:
        click.echo(
            "Note: no GitHub user given (--github-user) and none found in gh's or git's config "
            "(git config --global github.user NAME), so the CI badge and links name "
            f"{project.context['github_username']}; `mlscaffold publish` points them at the "
            "repository it creates.",
            err=True,
        )
    if publishing is not None:
        from scaffolder.publish import PublishRequest

        target, token = publishing
        publishing_request = PublishRequest(
            project=project.path,
            org=org,
            private=not public,
            template_repo=template_repo,
            api_url=target,
        )
        try:
            published = _publish(publishing_request, token)
        except ScaffoldError as exc:
            raise _ExitError(
                f"{exc} (the project is ready at {shown}; fix that, then run "
                f"`mlscaffold publish {shlex.quote(shown)}`)",
                exc.exit_code,
            ) from None
        click.echo(f"  published at {published.url}")
    package = project.context.get("package_name", "")
    click.echo("\nNext:")
    click.echo(f"  cd {shlex.quote(shown)}")
    click.echo(
        f"  python -m venv .venv && . .venv/bin/activate && {request.template.setup_command}"
    )
    click.echo(f"  python -m {package} train    # trains, then fills in the README's results")


@cli.command()
@click.argument(
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    required=False,
)
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
@click.option("--dry-run", is_flag=True, help="Print the API calls and git commands; do nothing.")
def publish(
    directory: Path,
    name: str | None,
    org: str | None,
    public: bool,
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
    from scaffolder.github import DEFAULT_API_URL, resolve_api_url
    from scaffolder.publish import PublishRequest

    request = PublishRequest(
        project=directory,
        name=name,
        org=org,
        private=not public,
        template_repo=template_repo,
        description=description,
        homepage=homepage,
        api_url=resolve_api_url(api_url) if remote is None else DEFAULT_API_URL,
        remote=remote,
        existing=existing,
    )
    if dry_run:
        _echo_publish_plan(request)
        click.echo("Nothing was done.")
        return
    published = _publish(request)
    verb = "Created and pushed" if published.created else "Pushed"
    click.secho(f"{verb}: {published.url}", bold=True)


@cli.command()
@click.argument("template", shell_complete=_complete_template)
@click.option(
    "--roster",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with a header: a 'github' and/or 'name' column, optionally 'email' and any "
    "template variable.",
)
@click.option("--prefix", help="Repository name prefix, e.g. ml-fraud-2026 [default: TEMPLATE].")
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("classroom"),
    show_default=True,
    help="Folder for the students' repositories and the report.",
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_parse_settings,
    help="Set a template variable for every student (repeatable).",
)
@click.option("--publish", "publish_", is_flag=True, help="Create, push and share each repository.")
@click.option("--org", help="With --publish: the organisation that owns the repositories.")
@click.option(
    "--public/--private", default=False, show_default=True, help="With --publish: visibility."
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 16),
    default=4,
    show_default=True,
    help="Students worked on at once (generating: processes; publishing: connections, "
    "whose API writes still take turns).",
)
@click.option(
    "--api-url",
    envvar="GITHUB_API_URL",
    show_envvar=True,
    help="GitHub API root [default: https://api.github.com].",
)
def classroom(
    template: str,
    roster: Path,
    prefix: str | None,
    output_dir: Path,
    settings: dict[str, str],
    publish_: bool,
    org: str | None,
    public: bool,
    jobs: int,
    api_url: str | None,
) -> None:
    """Make one personalised starter repository per student in ROSTER, from TEMPLATE.

    Each student gets PREFIX-HANDLE, generated with them as the author and a random
    seed of their own, with its own git history. With --publish --org ORG, each is
    created in ORG (private by default), pushed, and the student is added as a
    collaborator with push access. Bad rows are reported and the others go on;
    the exit status is 1 if any row failed. A report (CSV and JSON) is written to
    the output folder after every student: run the same command again after an
    interruption and it finishes the job without doing anything twice.

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
    from scaffolder.catalog import get_template
    from scaffolder.classroom import REPORT_CSV, REPORT_JSON, ClassroomRequest, run_classroom

    if org and not publish_:
        raise click.UsageError("--org is for --publish")
    from scaffolder.github import DEFAULT_API_URL, resolve_api_url

    if publish_:
        api_url = resolve_api_url(api_url)
    request = ClassroomRequest(
        template=get_template(template),
        roster=roster,
        output_dir=output_dir,
        prefix=prefix or template,
        settings=settings,
        publish=publish_,
        org=org,
        private=not public,
        jobs=jobs,
        api_url=api_url if publish_ and api_url else DEFAULT_API_URL,
    )
    results = run_classroom(request, notify=_notify, phase=_progress)
    done = "published" if publish_ else "generated"
    failed = [r for r in results if r.status == "failed"]
    click.echo(f"{len(results) - len(failed)} of {len(results)} students {done}.")
    for row in failed:
        click.echo("  " + printable(f"line {row.line} ({row.student}): {row.error}"), err=True)
    click.echo(printable(f"Report: {output_dir / REPORT_CSV} and {output_dir / REPORT_JSON}"))
    if failed:
        sys.exit(1)


@cli.command()
@click.argument(
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    required=False,
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_parse_settings,
    help="Change an answer (repeatable), e.g. --set project_name='Card Radar' renames the package.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Say what each file would become (a trial merge); change nothing.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome and every file as JSON.")
def update(directory: Path, settings: dict[str, str], dry_run: bool, as_json: bool) -> None:
    """Bring DIRECTORY (default: here) up to its template's current version, with git's merge.

    The template is rendered again with the answers in .mlscaffold.json (and
    --set) and merged into the current branch by git, from the pristine render
    that mlscaffold committed: your edits are kept, the template's changes come
    in, files it added appear, files it removed go if you never touched them,
    files you deleted stay deleted. A clean update is one merge commit. On
    conflicts it stops in git's merge state with exit status 3: resolve them and
    `git commit`, or `git merge --abort`. Templates of your own: MLSCAFFOLD_TEMPLATES.

    \b
    Examples:
      mlscaffold update --dry-run
      mlscaffold update fraud-detection
      mlscaffold update --set project_name="Card Fraud Radar"
    """
    from scaffolder.errors import UpdateConflicts
    from scaffolder.update import (
        Outcome,
        UpdateRequest,
        conflict_message,
        summary,
        update_project,
    )

    request = UpdateRequest(project=directory, settings=settings, dry_run=dry_run)
    result = update_project(request, notify=None if as_json else _notify)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        for line in summary(result):
            click.echo(line)
    if result.outcome is Outcome.CONFLICTS:
        raise UpdateConflicts(conflict_message(result))


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[], None]]:
    """Show a click progress bar on stderr (click draws it only on a terminal)."""
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield lambda: bar.update(1)


def _refuse_publishing_options(public: bool) -> None:
    """Refuse the publishing options of ``new`` given on the command line without --publish."""
    ctx = click.get_current_context()
    flags = dict(_PUBLISHING_FLAGS, public="--public" if public else "--private")
    for name, flag in flags.items():
        # Only what was typed: GITHUB_API_URL, set in every GitHub Actions job, is no mistake.
        if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE:
            raise InvalidInput(f"{flag} is for --publish")


def _publishing_settings(api_url: str | None, org: str | None) -> tuple[str, Token]:
    """Return the API and the token ``new --publish`` will use; refuse a bad --org or API.

    Raises if --api-url (or GITHUB_API_URL) or --org cannot work, or no token is found.
    """
    # Imported here: `new` without --publish should not pay for the HTTP client.
    from scaffolder.github import resolve_api_url
    from scaffolder.names import check_owner
    from scaffolder.publish import require_token

    resolved = resolve_api_url(api_url)
    if org is not None:
        check_owner(org)
    return resolved, require_token(resolved)


def _publish(request: PublishRequest, token: Token | None = None) -> Published:
    from scaffolder.publish import publish as publish_project

    return publish_project(request, token, _notify)


def _notify(message: str) -> None:
    """Print a progress line of the library on stderr, as one printable line."""
    click.echo(printable(message), err=True)


def _echo_publish_plan(request: PublishRequest) -> None:
    from scaffolder.publish import describe

    click.echo("Would publish:")
    for line in describe(request):
        click.echo(f"  {line}")


def _display_path(path: Path) -> str:
    """*path* relative to the working directory when it lies inside it, else absolute.

    A name that is not UTF-8 (its bytes arrive as lone surrogates) is shown escaped.
    """
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        relative = str(path)
    shown = str(path) if relative.startswith("..") else relative
    return shown if shown.isprintable() else printable(shown)


def main() -> None:
    """Run the ``mlscaffold`` command (the console-script entry point)."""
    from scaffolder.interrupts import stop_cleanly_on_termination

    stop_cleanly_on_termination()
    cli(prog_name="mlscaffold")
