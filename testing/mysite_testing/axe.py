"""axe-core, the standard accessibility engine, for the browser tests.

Its script comes from the npm package pinned in testing/axe/package.json: installed there once
(`npm install --no-package-lock`, which `.ci/prerequisites` runs, and which `axe_script` runs
itself when the package is missing or at another version), then read from disk and injected
into pages by Playwright. Pages never fetch it.
"""

import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

AXE_DIR = Path(__file__).resolve().parents[1] / "axe"
AXE_PACKAGE = AXE_DIR / "node_modules" / "axe-core"
# WCAG 2.1 level AA is levels A and AA of WCAG 2.0 and of 2.1.
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


class Violation(TypedDict):
    id: str
    impact: str | None
    help: str
    nodes: list[str]


def pinned_version() -> str:
    manifest = json.loads((AXE_DIR / "package.json").read_text(encoding="utf-8"))
    version: str = manifest["dependencies"]["axe-core"]
    return version


def installed_version() -> str | None:
    try:
        manifest = json.loads((AXE_PACKAGE / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = manifest.get("version")
    return version if isinstance(version, str) else None


def install() -> None:
    """Installs the pinned axe-core from the npm registry; does nothing when it is there."""
    if installed_version() == pinned_version():
        return
    subprocess.run(
        ["npm", "install", "--no-package-lock", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=AXE_DIR,
        check=True,
        capture_output=True,
        timeout=300,
    )
    if installed_version() != pinned_version():
        raise RuntimeError(f"axe-core {pinned_version()} did not install into {AXE_DIR}")


@cache
def axe_script() -> str:
    install()
    return (AXE_PACKAGE / "axe.min.js").read_text(encoding="utf-8")


# Runs in the page, after `axe_script` was added to it (Playwright's add_init_script, which
# the page's Content-Security-Policy does not govern).
RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, {
    runOnly: { type: 'tag', values: tags },
    resultTypes: ['violations'],
  });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary}`),
  }));
}
"""


def run_axe(page: Any, tags: tuple[str, ...] = WCAG_21_AA) -> list[Violation]:
    """The page's violations of the given rules (WCAG 2.1 AA unless told otherwise)."""
    violations: list[Violation] = page.evaluate(RUN_AXE, list(tags))
    return violations


def describe(violations: list[Violation]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node}" for node in violation["nodes"][:5])
    return "\n".join(lines)
