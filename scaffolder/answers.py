"""The answers of one run: what a person gave, taken literally, and the template's defaults.

Every value a person supplies (the project name, ``--set``, ``--author``, a
roster cell, the ``default_context`` of their cookiecutter config, an answer
typed at a prompt) is *data*: it enters the context as the text it is and is
never rendered as a Jinja template, so ``{{ 7*7 }}`` stays ``{{ 7*7 }}``. Only
the template's own defaults in ``cookiecutter.json`` (such as ``project_slug``'s
``{{ cookiecutter.project_name | slugify }}``) are rendered, in the sandbox, with
the answers given so far: derived values still follow the name.

Cookiecutter's ``prompt_for_config`` renders every value, the given ones
included, which is why it is not used; its prompt widgets are.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scaffolder import render
from scaffolder.catalog import Template
from scaffolder.errors import InvalidInput

# A value a person gives may be long (a description), but not a file's worth.
MAX_VALUE_LENGTH = 10_000
_YES = frozenset({"1", "true", "t", "yes", "y", "on"})
_NO = frozenset({"0", "false", "f", "no", "n", "off"})

Warn = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def check_given(template: Template, given: Mapping[str, str]) -> None:
    """Refuse unknown variables, values that are not a choice, and values too long to be data."""
    raw = template.raw_context
    public = template.variables
    unknown = sorted(set(given) - set(public))
    if unknown:
        raise InvalidInput(
            f"unknown variable {unknown[0]!r} for template {template.name}; "
            f"known variables: {', '.join(public)}"
        )
    for key, value in given.items():
        if len(value) > MAX_VALUE_LENGTH:
            raise InvalidInput(
                f"the value for {key} is {len(value)} characters long; the limit is "
                f"{MAX_VALUE_LENGTH}"
            )
        options = raw[key]
        if isinstance(options, bool) and value.strip().lower() not in _YES | _NO:
            raise InvalidInput(f"{key} is yes or no, not {_shown(value)}")
        elif isinstance(options, dict):
            raise InvalidInput(f"{key} is a dictionary; it cannot be set with a single value")


def resolve_context(
    template: Template,
    given: Mapping[str, str],
    defaults: Mapping[str, Any],
    *,
    interactive: bool,
    warn: Warn = _stderr,
) -> dict[str, Any]:
    """Return the template's full context for the *given* answers.

    Precedence, highest first: *given* (options, NAME, ``--set``, a roster row),
    *defaults* (the user's cookiecutter config and git identity), the template's
    defaults. With *interactive*, each public variable is asked for, with that
    value offered as the default, and each answer is checked as it is typed.
    """
    check_given(template, given)
    raw = template.raw_context
    prompts = raw.get("__prompts__", {})
    prompts = prompts if isinstance(prompts, Mapping) else {}
    validator = template.load_validator()
    keys = [k for k in raw if not k.startswith("_")]
    # cookiecutter's order: plain variables and choices first, dictionaries after them.
    order = [k for k in keys if not isinstance(raw[k], dict)]
    order += [k for k in keys if isinstance(raw[k], dict)]

    context: dict[str, Any] = {}
    for key, value in raw.items():
        if key.startswith("__") and key != "__prompts__":
            context[key] = _render_default(template, value, context)
        elif key.startswith("_") and not key.startswith("__"):
            context[key] = value  # private: as written
    for index, key in enumerate(order):
        value = _initial(template, key, given, defaults, context, warn)
        if interactive:
            later = order[index + 1 :]

            def complaints(candidate: Any, key: str = key, later: list[str] = later) -> list[str]:
                return _complaints(
                    template, validator, given, defaults, context, key, candidate, later
                )

            value = _ask(
                template, key, value, context, prompts, (index + 1, len(order)), complaints
            )
        context[key] = value
    return {key: context[key] for key in raw if key in context}


def _initial(
    template: Template,
    key: str,
    given: Mapping[str, str],
    defaults: Mapping[str, Any],
    context: Mapping[str, Any],
    warn: Warn,
) -> Any:
    """Return *key*'s value before any prompt: given, else the user's, else the template's."""
    raw = template.raw_context[key]
    if isinstance(raw, list):
        options = [str(_render_default(template, option, context)) for option in raw]
        if not options:
            raise InvalidInput(f"template {template.name}: {key} has no choices")
        if key in given:
            if given[key] not in options:
                raise InvalidInput(
                    f"{_shown(given[key])} is not a choice for {key}; choose one of: "
                    f"{', '.join(options)}"
                )
            return given[key]
        if key in defaults:
            wanted = str(defaults[key])
            if wanted in options:
                return wanted
            warn(
                f"Note: your cookiecutter config sets {key} to {_shown(wanted)}, which is not a "
                f"choice ({', '.join(options)}); using {options[0]}"
            )
        return options[0]
    if isinstance(raw, bool):
        if key in given:
            return given[key].strip().lower() in _YES
        if isinstance(defaults.get(key), bool):
            return defaults[key]
        return raw
    if isinstance(raw, dict):
        value = _render_default(template, raw, context)
        user = defaults.get(key)
        return {**value, **user} if isinstance(user, Mapping) else value
    if key in given:
        return given[key]
    if key in defaults and defaults[key] is not None:
        return str(defaults[key])
    return _render_default(template, raw, context)


def _render_default(template: Template, raw: Any, context: Mapping[str, Any]) -> Any:
    """Render a default of ``cookiecutter.json`` (template text), as cookiecutter does."""
    if raw is None or isinstance(raw, bool):
        return raw
    if isinstance(raw, dict):
        return {
            _render_default(template, k, context): _render_default(template, v, context)
            for k, v in raw.items()
        }
    if isinstance(raw, list):
        return [_render_default(template, item, context) for item in raw]
    text = str(raw)
    return render.render_value(template, text, context) if "{" in text else text


def _complaints(
    template: Template,
    validator: Any,
    given: Mapping[str, str],
    defaults: Mapping[str, Any],
    context: Mapping[str, Any],
    key: str,
    candidate: Any,
    later: list[str],
) -> list[str]:
    """Problems that the answer *candidate* for *key* causes, itself or in the values it derives."""
    if validator is None:
        return []
    trial = {**context, key: candidate}
    for rest in later:  # what the next questions would offer, derived from this answer
        trial[rest] = _initial(template, rest, given, defaults, trial, lambda message: None)
    return [sentence for variable, sentence in validator(trial) if variable in (key, *later)]


def _ask(
    template: Template,
    key: str,
    value: Any,
    context: Mapping[str, Any],
    prompts: Mapping[str, Any],
    position: tuple[int, int],
    complaints: Callable[[Any], list[str]],
) -> Any:
    """Ask for *key* with *value* as the default, until the answer passes the template's checks."""
    from cookiecutter import prompt

    raw = template.raw_context[key]
    prefix = f"  [dim][{position[0]}/{position[1]}][/] "
    while True:
        if isinstance(raw, list):
            options = [str(_render_default(template, o, context)) for o in raw]
            options.remove(value)
            answer = prompt.read_user_choice(key, [value, *options], prompts, prefix)
        elif isinstance(raw, bool):
            answer = prompt.read_user_yes_no(key, value, prompts, prefix)
        elif isinstance(raw, dict):
            answer = prompt.read_user_dict(key, value, prompts, prefix)
        else:
            answer = prompt.read_user_variable(key, value, prompts, prefix)
            if len(str(answer)) > MAX_VALUE_LENGTH:
                _stderr(
                    f"Error: that is {len(str(answer))} characters; the limit is {MAX_VALUE_LENGTH}"
                )
                continue
        found = complaints(answer)
        if not found:
            return answer
        for sentence in found:
            _stderr(f"Error: {sentence}")


def user_defaults() -> dict[str, Any]:
    """Return the ``default_context`` of the user's cookiecutter config, as cookiecutter reads it.

    Its values are data like any other answer. A config that cannot be read, or
    whose ``default_context`` is not a mapping, is refused with one line; an
    empty (null) one counts as none, as cookiecutter has it.
    """
    # Cookiecutter's config reader imports a YAML parser (~15 ms); skip it when
    # there is no config to read, which is the common case.
    configured = os.environ.get("COOKIECUTTER_CONFIG")
    path = Path(configured) if configured else Path("~/.cookiecutterrc").expanduser()
    if not configured and not path.exists():
        return {}
    if path.is_dir():
        raise InvalidInput(f"the cookiecutter config {path} is a folder, not a file")
    from cookiecutter.config import get_user_config
    from cookiecutter.exceptions import CookiecutterException

    try:
        config = get_user_config()
    except (CookiecutterException, OSError, ValueError) as exc:
        detail = " ".join(str(exc).split())
        raise InvalidInput(f"cannot read the cookiecutter config {path}: {detail}") from exc
    found = config.get("default_context") if isinstance(config, Mapping) else None
    if found is None:
        return {}
    if not isinstance(found, Mapping):
        raise InvalidInput(
            f"the cookiecutter config {path}: default_context must be a mapping of "
            f"variable: value, not {type(found).__name__}"
        )
    return dict(found)


def _shown(value: object, limit: int = 40) -> str:
    text = str(value)
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "..."
