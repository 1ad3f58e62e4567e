"""The dependency rules of the design: pos/ imports neither Qt widgets nor requests nor the
layers above it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_CORE = ("ui", "sync", "requests", "PySide6.QtWidgets", "fastapi")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_core_source_never_imports_upwards() -> None:
    for path in (ROOT / "pos").rglob("*.py"):
        for name in imports_of(path):
            bad = [f for f in FORBIDDEN_IN_CORE if name == f or name.startswith(f + ".")]
            assert not bad, f"{path.relative_to(ROOT)} imports {name}"


def test_importing_the_core_loads_no_widgets_and_no_network() -> None:
    modules = sorted(p.stem for p in (ROOT / "pos").glob("*.py") if p.stem != "__init__")
    code = "import sys; " + "; ".join(f"import pos.{m}" for m in modules)
    code += "; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    loaded = set(out.stdout.split())
    assert "PySide6.QtWidgets" not in loaded
    assert "requests" not in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("ui", "sync")}


#: what the server shares of the stall's core: modules that import nothing of the project
SHARED_WITH_THE_SERVER = ("pos.usage", "pos.cldr")


def test_the_server_takes_nothing_of_the_stall_but_what_both_must_agree_on() -> None:
    """The organisers' server stands on the wire schema alone; of the stall's core it shares
    only the reading of argparse's errors (``pos.usage``) and the CLDR's rules both must
    write numbers by (``pos.cldr``: plural forms, the Arabic minus), which import nothing
    else."""
    for path in (ROOT / "sync" / "server").rglob("*.py"):
        for name in imports_of(path) - {"pos"}:  # ``from pos import x`` is also ``pos.x``
            if name.split(".")[0] in ("pos", "ui") or name.startswith("sync.client"):
                assert name.startswith(SHARED_WITH_THE_SERVER), (
                    f"{path.relative_to(ROOT)} imports {name}")
    for module in SHARED_WITH_THE_SERVER:
        names = imports_of(ROOT / (module.replace(".", "/") + ".py"))
        assert not {n for n in names if n.split(".")[0] in ("pos", "ui", "sync")}, module
