"""Link every file of templates/_shared into each bundled template, at the same path.

The four templates share their README skeleton, CI workflow, pyproject, licences,
CITATION.cff, model card skeleton, .gitignore, pre-commit config, hooks and a few
modules. Those live once, in templates/_shared; each template holds a relative
symbolic link per file (hatchling packs a linked file's content into the wheel,
but silently drops a linked folder, hence one link per file).

    python tools/link_shared.py          # create or repair the links
    python tools/link_shared.py --check  # exit 1 if any is missing or wrong

Files git reads for itself (.gitignore) cannot be links: git refuses to follow
a linked .gitignore and warns on every command. Those few are copied instead,
and the check compares their bytes. tests/test_templates.py runs the check, so a
template cannot drift from the shared files unnoticed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SHARED = TEMPLATES / "_shared"
COPIED = {".gitignore", ".gitattributes"}  # git will not follow these as links
# Shared modules that only some templates use: a project holds only code it runs,
# so these are linked into the templates named here and nowhere else.
_PACKAGE = Path("{{cookiecutter.project_slug}}", "src", "{{cookiecutter.package_name}}")
ONLY_IN: dict[Path, tuple[str, ...]] = {
    _PACKAGE / "confusion.py": ("fraud-detection", "image-recognition", "medical-diagnosis"),
    _PACKAGE / "csv_output.py": ("fraud-detection", "medical-diagnosis"),
}
# A shared module's own tests go where the module goes.
ONLY_IN[Path("{{cookiecutter.project_slug}}", "tests", "test_confusion.py")] = ONLY_IN[
    _PACKAGE / "confusion.py"
]


def shared_files() -> list[Path]:
    """Paths of the shared files, relative to templates/_shared."""
    return sorted(
        p.relative_to(SHARED)
        for p in SHARED.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def template_dirs() -> list[Path]:
    """The bundled templates (folders with a cookiecutter.json)."""
    return sorted(p.parent for p in TEMPLATES.glob("*/cookiecutter.json") if p.parent != SHARED)


def wanted(template: Path, relative: Path) -> bool:
    """Whether *template* should hold the shared file *relative* (see ONLY_IN)."""
    return relative not in ONLY_IN or template.name in ONLY_IN[relative]


def expected_target(template: Path, relative: Path) -> str:
    """The relative link target that points from *template*/*relative* to the shared file."""
    link = template / relative
    return os.path.relpath(SHARED / relative, link.parent)


def problems() -> list[str]:
    """One line per link that is missing or points elsewhere."""
    found = []
    for template in template_dirs():
        for relative in shared_files():
            link = template / relative
            if not wanted(template, relative):
                if link.is_symlink() or link.exists():
                    found.append(f"{link.relative_to(TEMPLATES)} must not be there (see ONLY_IN)")
                continue
            if relative.name in COPIED:
                if link.is_symlink() or not link.is_file():
                    found.append(f"{link.relative_to(TEMPLATES)} must be a copy")
                elif link.read_bytes() != (SHARED / relative).read_bytes():
                    found.append(f"{link.relative_to(TEMPLATES)} differs from the shared copy")
            elif not link.is_symlink():
                state = "is a copy, not a link" if link.exists() else "is missing"
                found.append(f"{link.relative_to(TEMPLATES)} {state}")
            elif os.readlink(link) != expected_target(template, relative):
                found.append(f"{link.relative_to(TEMPLATES)} points to {os.readlink(link)}")
    return found


def link_all() -> int:
    """Create or repair every link; return how many were changed."""
    changed = 0
    for template in template_dirs():
        for relative in shared_files():
            link = template / relative
            if not wanted(template, relative):
                if link.is_symlink():
                    link.unlink()
                    changed += 1
                continue
            if relative.name in COPIED:
                if link.is_symlink():
                    link.unlink()
                if not link.is_file() or link.read_bytes() != (SHARED / relative).read_bytes():
                    link.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(SHARED / relative, link)
                    changed += 1
                continue
            target = expected_target(template, relative)
            if link.is_symlink() and os.readlink(link) == target:
                continue
            if link.exists() and not link.is_symlink():
                sys.exit(f"{link} is a real file; remove it first (shared files are links)")
            link.parent.mkdir(parents=True, exist_ok=True)
            if link.is_symlink():
                link.unlink()
            link.symlink_to(target)
            changed += 1
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report problems, change nothing")
    if parser.parse_args().check:
        found = problems()
        print("\n".join(found) if found else "all shared files are linked")
        sys.exit(1 if found else 0)
    print(f"linked {link_all()} file(s)")


if __name__ == "__main__":
    main()
