"""Write a table of scores to a CSV file, or to the terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd


def write_csv(frame: pd.DataFrame, output: Path | None) -> str:
    """Write *frame* (its index as ``row``) to *output*, or to stdout; say where it went."""
    if output is None:
        frame.to_csv(sys.stdout, index_label="row")
        return "above"
    output.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(output, index_label="row")
    return f"written to {output}"
