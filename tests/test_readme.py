"""Every command the README shows runs as a newcomer would paste it, in order, with the promised exit status.

The fenced ``bash`` blocks of README.md are read at run time; each command runs in a scratch folder holding a
copy of the examples and the project's virtual environment (``.venv`` linked), so nothing is written into the
repository.  ``make`` lines are the set-up itself (this test runs inside it) and are not re-run here.
The README promises status 0, except for the cohort example, whose CSV holds one deliberately bad row
(status 1: some patients failed).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


def expected_status(command: str) -> int:
    return 1 if "examples/cohort.csv" in command else 0


def test_the_readme_shows_commands():
    commands = readme_commands()
    assert any(c.startswith("make book") for c in commands) and any(c.startswith("make test") for c in commands)
    assert sum(c.startswith(".venv/bin/netlib") for c in commands) >= 8


@pytest.mark.slow
def test_every_readme_command_runs_in_order(tmp_path):
    scratch = tmp_path / "newcomer"
    scratch.mkdir()
    shutil.copytree(ROOT / "examples", scratch / "examples")
    os.symlink(ROOT / ".venv", scratch / ".venv")
    for command in readme_commands():
        if command.startswith("make "):
            continue  # the set-up itself; this test runs inside `make test`
        completed = subprocess.run(shlex.split(command), cwd=scratch, capture_output=True, text=True, timeout=600)
        assert completed.returncode == expected_status(command), (
            f"README command failed: {command}\nexit {completed.returncode}\n{completed.stderr[-2000:]}")
        assert "Traceback" not in completed.stderr, command
    for block in re.findall(r"```python\n(.*?)```", README, re.S):
        completed = subprocess.run([str(scratch / ".venv" / "bin" / "python"), "-c", block], cwd=scratch,
                                   capture_output=True, text=True, timeout=600)
        assert completed.returncode == 0 and "Traceback" not in completed.stderr, (block, completed.stderr[-2000:])
    assert (scratch / "report.html").is_file() and (scratch / "report.pdf").is_file()
    assert (scratch / "localised.pdf").is_file() and (scratch / "reports" / "index.html").is_file()
    # Nothing was written into the repository's own examples.
    assert sorted(p.name for p in (ROOT / "examples").iterdir()) == sorted(p.name for p in (scratch / "examples").iterdir())
