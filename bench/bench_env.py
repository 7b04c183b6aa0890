"""What every benchmark runs its commands with: the user's environment and a fixed git identity.

The scripts in bench/ import it as a sibling (`python bench/bench_new.py` puts
bench/ on sys.path).
"""

from __future__ import annotations

import os

IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}
# Users' Python caches bytecode; this machine may have turned that off globally, which would
# time every command's imports cold.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, **IDENTITY}
