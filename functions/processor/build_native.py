"""Compile docproc/_native.c and docproc/_pagewalk.c into docproc/ beside them, or into a
package folder (stdlib only); for the package, docproc's Python modules too (mypyc).

    python build_native.py                 # in place, for the dev environment (make)
    python build_native.py --lambda DIR    # into DIR/docproc, for the Lambda package (Makefile)
    python build_native.py --lambda DIR --mypyc TOOLS   # and docproc's modules, with mypyc
                                                        # from TOOLS (build-requirements.txt)

The module is optional: where it is not built, docproc runs the same statistics in pure Python
with the same results, a few times slower. For the Lambda package it is built only on a Linux
x86_64 host, with the Python that compiles the package's bytecode (3.11, the runtime's): a
module compiled elsewhere (macOS, arm64) could not load in Lambda's python3.11 on x86_64, so
there the package ships without it and says so. Only libc's memory functions are linked, so
the module loads on Amazon Linux 2 (glibc 2.26); tests/template/test_build.py checks it.

The page walk (_pagewalk.c) reads resiliparse's parsed pages through lexbor's own functions: it
is linked against the lexbor file resiliparse's wheel ships (Resiliparse.libs/), by a path
relative to the module, as resiliparse's modules are, so one copy of the library is loaded.
Where it is not built, docproc/html.py walks the page in Python, with the same results.

mypyc compiles docproc's typed modules to C extensions: the same code, its calls between
docproc's functions and its attribute reads made direct (1 to 6% more throughput, `make bench`
measures both). Each compiled module sits beside its source, which Python then no longer loads.
The modules run from the command line (patterns) and the package's own `__init__`s stay Python.
The dev environment and the unit tests run the sources; tests/template/test_build.py checks
that the compiled package gives the same results on real and broken documents.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "docproc" / "_native.c"
PAGE_WALK = HERE / "docproc" / "_pagewalk.c"
# -O2: the loops are hash probes and memcmp, which -O3's vectorising does not help.
# -DNDEBUG: no assert() from the Python headers (nor __assert_fail to link).
CFLAGS = ["-O2", "-fPIC", "-shared", "-DNDEBUG", "-fno-strict-aliasing", "-Wall"]


def target_name(module: str = "_native") -> str:
    return module + (sysconfig.get_config_var("EXT_SUFFIX") or ".so")


def _compile(source: Path, out: Path, libraries: list[str]) -> Path:
    compiler = shlex.split(os.environ.get("CC", "cc"))
    include = sysconfig.get_paths()["include"]
    command = [*compiler, *CFLAGS, f"-I{include}", str(source), "-o", str(out), *libraries]
    subprocess.run(command, check=True)
    return out


def compile_module(out_dir: Path) -> Path:
    return _compile(SOURCE, out_dir / target_name(), ["-lm"])


def lexbor_library(site: Path | None) -> Path | None:
    """The lexbor library resiliparse's wheel ships (Resiliparse.libs/liblexbor-<hash>.so.*), in
    the package folder `site`, or where resiliparse is installed for this Python."""
    if site is None:
        spec = importlib.util.find_spec("resiliparse")
        if spec is None or spec.origin is None:
            return None
        site = Path(spec.origin).parent.parent
    found = sorted((site / "Resiliparse.libs").glob("liblexbor*.so*"))
    return found[0] if found else None


def compile_page_walk(out_dir: Path, lexbor: Path) -> Path:
    """docproc/_pagewalk.c, linked against resiliparse's own lexbor (by its file name, found
    beside the module at run time as resiliparse's modules find it): one copy of the library is
    loaded, and the nodes this module reads are the ones resiliparse made."""
    origin = os.path.relpath(lexbor.parent, out_dir.resolve())
    libraries = [f"-L{lexbor.parent}", f"-l:{lexbor.name}", f"-Wl,-rpath,$ORIGIN/{origin}"]
    return _compile(PAGE_WALK, out_dir / target_name("_pagewalk"), libraries)


# Not compiled: `python -m docproc.patterns` runs at build time (runpy cannot run an extension
# module), native.py only loads the C module, and the packages' __init__s hold no work.
NOT_COMPILED = (
    "docproc/patterns.py",
    "docproc/native.py",
    "docproc/__init__.py",
    "docproc/steps/__init__.py",
)


def compile_python(package: Path, tools: Path) -> list[Path]:
    """mypyc-compile docproc's modules in `package`, each extension beside its source, and the
    shared library they all use at the package's top. Returns the extensions written."""
    sources = sorted(
        p.relative_to(package).as_posix()
        for p in (package / "docproc").rglob("*.py")
        if p.relative_to(package).as_posix() not in NOT_COMPILED
    )
    with tempfile.TemporaryDirectory(prefix="docproc-mypyc-") as tmp:
        # A folder of docproc's sources alone: in the package, the libraries beside docproc
        # (typing_extensions among them) would shadow the ones mypy itself runs on.
        stage = Path(tmp)
        shutil.copytree(
            package / "docproc", stage / "docproc", ignore=shutil.ignore_patterns("__pycache__", "*.so")
        )
        env = {**os.environ, "PYTHONPATH": str(tools), "PYTHONDONTWRITEBYTECODE": "1"}
        command = [
            sys.executable,
            "-m",
            "mypyc",
            "--ignore-missing-imports",
            "--python-version",
            "3.11",
            *sources,
        ]
        done = subprocess.run(command, cwd=stage, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"mypyc failed:\n{done.stdout[-4000:]}{done.stderr[-4000:]}")
        built = [p for p in stage.rglob("*.so") if p.relative_to(stage).parts[0] != "build"]
        for so in built:
            shutil.copy2(so, package / so.relative_to(stage))
        return [package / so.relative_to(stage) for so in built]


def build_page_walk(out_dir: Path, package: Path | None) -> None:
    """The page walk's module, or the reason there is none (html.py then walks in Python)."""
    stale = out_dir / target_name("_pagewalk")
    lexbor = lexbor_library(package)
    if lexbor is None:
        stale.unlink(missing_ok=True)
        print("build_native: resiliparse's lexbor not found: the page walk runs in Python", file=sys.stderr)
        return
    try:
        built = compile_page_walk(out_dir, lexbor)
    except (OSError, subprocess.CalledProcessError) as err:
        if package is not None:
            raise
        stale.unlink(missing_ok=True)
        print(f"build_native: page walk not compiled ({err}); it runs in Python", file=sys.stderr)
        return
    print(f"build_native: {built}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lambda", dest="package", type=Path, help="the Lambda package folder")
    parser.add_argument("--mypyc", dest="tools", type=Path, help="with --lambda: compile the modules too")
    args = parser.parse_args(argv)
    if args.package is not None:
        host = (platform.system(), platform.machine())
        if host != ("Linux", "x86_64"):
            print(
                f"build_native: not compiled on {host[0]} {host[1]}: Lambda (python3.11, x86_64) "
                "could not load it; the package runs the pure-Python statistics, a few times slower. "
                "Its Python modules are not compiled either. "
                "Build on Linux x86_64 (or `sam build --use-container`) to ship it.",
                file=sys.stderr,
            )
            return 0
        out_dir = args.package / "docproc"
    else:
        out_dir = SOURCE.parent
    try:
        built = compile_module(out_dir)
    except (OSError, subprocess.CalledProcessError) as err:
        if args.package is not None:
            raise
        # An older build left in place would run code that no longer matches the source.
        (out_dir / target_name()).unlink(missing_ok=True)
        print(f"build_native: not compiled ({err}); the pure-Python statistics run instead", file=sys.stderr)
        return 0
    print(f"build_native: {built}")
    build_page_walk(out_dir, args.package)
    if args.package is not None and args.tools is not None:
        compiled = compile_python(args.package, args.tools)
        modules = [p for p in compiled if "__mypyc" not in p.name]
        print(f"build_native: {len(modules)} modules compiled with mypyc")
    return 0


if __name__ == "__main__":
    sys.exit(main())
