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
from scaffolder.errors import InvalidInput, shown

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
        _check_text(key, value, "given")
        if len(value) > MAX_VALUE_LENGTH:
            raise InvalidInput(
                f"the value for {key} is {len(value)} characters long; the limit is "
                f"{MAX_VALUE_LENGTH}"
            )
        options = raw[key]
        if isinstance(options, bool) and value.strip().lower() not in _YES | _NO:
            raise InvalidInput(f"{key} is yes or no, not {shown(value)}")
        elif isinstance(options, dict):
            raise InvalidInput(f"{key} is a dictionary; it cannot be set with a single value")


def _not_text(value: object) -> bool:
    """Whether *value* holds bytes that are not UTF-8 (they arrive as lone surrogates)."""
    return isinstance(value, str) and any("\ud800" <= ch <= "\udfff" for ch in value)


def _check_text(key: str, value: object, origin: str) -> None:
    """Refuse a value that is not text."""
    if _not_text(value):
        raise InvalidInput(
            f"the value {origin} for {key} holds bytes that are not UTF-8 text; "
            "retype it, or save the file it came from as UTF-8"
        )


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
    for key, value in defaults.items():
        _check_text(key, value, "from your cookiecutter config")
    return _Resolution(template, given, defaults, warn).run(interactive)


class _Resolution:
    """One resolution of a template's context: the answers given, the defaults, the checks."""

    def __init__(
        self, template: Template, given: Mapping[str, str], defaults: Mapping[str, Any], warn: Warn
    ) -> None:
        self.template = template
        self.raw = template.raw_context
        self.given = given
        self.defaults = defaults
        self.warn = warn
        self.validator = template.load_validator()
        keys = [k for k in self.raw if not k.startswith("_")]
        # cookiecutter's order: plain variables and choices first, dictionaries after them.
        self.order = [k for k in keys if not isinstance(self.raw[k], dict)]
        self.order += [k for k in keys if isinstance(self.raw[k], dict)]

    def run(self, interactive: bool) -> dict[str, Any]:
        context: dict[str, Any] = {}
        for key, value in self.raw.items():
            if key.startswith("__") and key != "__prompts__":
                context[key] = self.render(value, context)
            elif key.startswith("_") and not key.startswith("__"):
                context[key] = value  # private: as written
        for index, key in enumerate(self.order):
            value = self.initial(key, context)
            if interactive:
                value = self.ask(key, value, context, index)
            context[key] = value
        return {key: context[key] for key in self.raw if key in context}

    def initial(self, key: str, context: Mapping[str, Any], *, quiet: bool = False) -> Any:
        """Return *key*'s value before any prompt: given, else the user's, else the template's."""
        raw = self.raw[key]
        if isinstance(raw, list):
            options = self.options(key, context)
            if key in self.given:
                if self.given[key] not in options:
                    raise InvalidInput(
                        f"{shown(self.given[key])} is not a choice for {key}; choose one of: "
                        f"{', '.join(options)}"
                    )
                return self.given[key]
            if key in self.defaults:
                wanted = str(self.defaults[key])
                if wanted in options:
                    return wanted
                if not quiet:
                    self.warn(
                        f"Note: your cookiecutter config sets {key} to {shown(wanted)}, which "
                        f"is not a choice ({', '.join(options)}); using {options[0]}"
                    )
            return options[0]
        if isinstance(raw, bool):
            if key in self.given:
                return self.given[key].strip().lower() in _YES
            user = self.defaults.get(key)
            return user if isinstance(user, bool) else raw
        if isinstance(raw, dict):
            value = self.render(raw, context)
            user = self.defaults.get(key)
            return {**value, **user} if isinstance(user, Mapping) else value
        if key in self.given:
            return self.given[key]
        if self.defaults.get(key) is not None:
            return str(self.defaults[key])
        return self.render(raw, context)

    def options(self, key: str, context: Mapping[str, Any]) -> list[str]:
        """Return the choices of the choice variable *key*, rendered."""
        options = [str(self.render(option, context)) for option in self.raw[key]]
        if not options:
            raise InvalidInput(f"template {self.template.name}: {key} has no choices")
        return options

    def render(self, raw: Any, context: Mapping[str, Any]) -> Any:
        """Render a default of ``cookiecutter.json`` (template text), as cookiecutter does."""
        if raw is None or isinstance(raw, bool):
            return raw
        if isinstance(raw, dict):
            return {self.render(k, context): self.render(v, context) for k, v in raw.items()}
        if isinstance(raw, list):
            return [self.render(item, context) for item in raw]
        text = str(raw)
        return render.render_value(self.template, text, context) if "{" in text else text

    def complaints(self, key: str, candidate: Any, context: Mapping[str, Any]) -> list[str]:
        """Problems the answer *candidate* for *key* causes, itself or in what it derives."""
        if self.validator is None:
            return []
        later = self.order[self.order.index(key) + 1 :]
        trial = {**context, key: candidate}
        for rest in later:  # what the next questions would offer, derived from this answer
            trial[rest] = self.initial(rest, trial, quiet=True)
        return [
            sentence for variable, sentence in self.validator(trial) if variable in (key, *later)
        ]

    def ask(self, key: str, value: Any, context: Mapping[str, Any], index: int) -> Any:
        """Ask for *key* with *value* as the default, until the answer passes the checks."""
        from cookiecutter import prompt

        prompts = self.raw.get("__prompts__", {})
        prompts = prompts if isinstance(prompts, Mapping) else {}
        raw = self.raw[key]
        prefix = f"  [dim][{index + 1}/{len(self.order)}][/] "
        while True:
            if isinstance(raw, list):
                others = [option for option in self.options(key, context) if option != value]
                answer = prompt.read_user_choice(key, [value, *others], prompts, prefix)
            elif isinstance(raw, bool):
                answer = prompt.read_user_yes_no(key, value, prompts, prefix)
            elif isinstance(raw, dict):
                answer = prompt.read_user_dict(key, value, prompts, prefix)
            else:
                answer = prompt.read_user_variable(key, value, prompts, prefix)
            if isinstance(answer, str) and len(answer) > MAX_VALUE_LENGTH:
                found = [f"that is {len(answer)} characters; the limit is {MAX_VALUE_LENGTH}"]
            elif _not_text(answer):
                found = ["that holds bytes that are not UTF-8 text"]
            else:
                found = self.complaints(key, answer, context)
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
    except (CookiecutterException, OSError, ValueError, TypeError, AttributeError) as exc:
        # TypeError, AttributeError: settings of the wrong type (cookiecutters_dir: [1])
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
