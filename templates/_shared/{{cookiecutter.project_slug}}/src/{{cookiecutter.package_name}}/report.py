"""Write ``reports/metrics.json`` and copy its numbers into the README and the model card.

The README's results and findings and the model card's evaluation sit between
HTML comment markers; only the text between the markers is replaced, so
everything else in those files stays as their author wrote it. Every number and
every finding comes from the payload the training run wrote, never from a
sentence fixed in advance.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

RESULTS_MARKERS = ("<!-- results:start -->", "<!-- results:end -->")
FINDINGS_MARKERS = ("<!-- findings:start -->", "<!-- findings:end -->")
EVALUATION_MARKERS = ("<!-- evaluation:start -->", "<!-- evaluation:end -->")


class MarkersMissing(ValueError):
    """A document's markers around a generated block were removed, so it cannot be updated."""


def write_metrics(payload: Mapping[str, Any], path: Path) -> Path:
    """Write *payload* as JSON, floats rounded to 4 places so reruns give identical files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_rounded(payload), indent=2) + "\n", encoding="utf-8")
    return path


def results_markdown(payload: Mapping[str, Any]) -> str:
    """Render the results table (model beside baseline) and the figures as Markdown.

    The payload's ``labels`` name the metrics (a metric without one shows its
    key); a model's ``intervals`` give the bootstrap interval of a metric.
    """
    model, baseline = payload["model"], payload["baseline"]
    labels = payload.get("labels", {})
    lines = []
    summary = payload.get("dataset", {}).get("summary")
    if summary:
        lines += [f"Measured on {summary}", ""]
    primary = payload.get("primary_metric")
    if primary and primary in model["metrics"] and primary in baseline["metrics"]:
        lines += [
            f"**{model['name']}**: {labels.get(primary, primary)} "
            f"**{_format(model['metrics'][primary])}**{_interval(model, primary)}, against "
            f"{_format(baseline['metrics'][primary])}{_interval(baseline, primary)} for the "
            f"baseline ({baseline['name']}).",
            "",
        ]
    keys = list(model["metrics"]) + [k for k in baseline["metrics"] if k not in model["metrics"]]
    lines += [
        f"| Metric | {model['name']} | Baseline: {baseline['name']} |",
        "| --- | ---: | ---: |",
    ]
    for key in keys:
        ours, theirs = model["metrics"].get(key), baseline["metrics"].get(key)
        places = 4 if any(_is_small(v) for v in (ours, theirs)) else 3  # one precision a row
        row = f"{_format(ours, places)} | {_format(theirs, places)}"
        lines.append(f"| {labels.get(key, key)} | {row} |")
    for figure in payload.get("figures", []):
        lines += ["", f"![{figure['caption']}]({figure['path']})"]
    return "\n".join(lines)


def findings_markdown(payload: Mapping[str, Any]) -> str:
    """The run's findings (sentences the training code wrote from its numbers) as a list."""
    findings = payload.get("findings", [])
    return "\n".join(f"- {finding}" for finding in findings) or "_No findings recorded._"


def figure_entries(figures: list[tuple[Path, str]], project_dir: Path) -> list[dict[str, str]]:
    """The ``figures`` of a payload: each PNG's path from the project root, and its caption."""
    return [
        {"path": path.relative_to(project_dir).as_posix(), "caption": caption}
        for path, caption in figures
    ]


def replace_block(text: str, markers: tuple[str, str], body: str, name: str = "the text") -> str:
    """Return *text* with the part between the two *markers* replaced by *body*.

    Raises ``MarkersMissing`` (naming the document *name*) if either is gone.
    """
    start, end = markers
    head, found_start, rest = text.partition(start)
    _, found_end, tail = rest.partition(end)
    if not found_start or not found_end:
        raise MarkersMissing(
            f"{name}: the markers {start} and {end} are missing; put them back to update it"
        )
    return f"{head}{start}\n{body}\n{end}{tail}"


def update_documents(
    payload: Mapping[str, Any],
    readme: Path = Path("README.md"),
    model_card: Path = Path("MODEL_CARD.md"),
) -> list[Path]:
    """Put the results into the README and model card, where they exist; return those updated.

    The README's findings block is rewritten too, where its markers are still
    there (an author may have replaced the section with their own words).
    """
    results, findings = results_markdown(payload), findings_markdown(payload)
    updated = []
    if readme.is_file():
        text = replace_block(
            readme.read_text(encoding="utf-8"), RESULTS_MARKERS, results, readme.name
        )
        if all(marker in text for marker in FINDINGS_MARKERS):
            text = replace_block(text, FINDINGS_MARKERS, findings)
        readme.write_text(text, encoding="utf-8")
        updated.append(readme)
    if model_card.is_file():
        body = f"{results}\n\n### What this run showed\n\n{findings}"
        text = replace_block(
            model_card.read_text(encoding="utf-8"), EVALUATION_MARKERS, body, model_card.name
        )
        model_card.write_text(text, encoding="utf-8")
        updated.append(model_card)
    return updated


def _interval(entry: Mapping[str, Any], key: str) -> str:
    interval = entry.get("intervals", {}).get(key)
    if not interval:
        return ""
    low, high = interval
    if low == high:
        # Every resample gave the same number (a test split with no error): such an
        # interval says nothing, and the findings explain what the split can say.
        return ""
    return f" (95 % bootstrap interval {_format(low)} to {_format(high)})"


def _is_small(value: Any) -> bool:
    # Small values such as a Brier score of 0.0012 need more places to differ.
    return isinstance(value, float) and 0 < abs(value) < 0.01


def _format(value: Any, places: int | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.{places or (4 if _is_small(value) else 3)}f}"
    return str(value)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, Mapping):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value
