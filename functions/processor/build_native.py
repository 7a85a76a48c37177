"""Compile docproc/_native.c into docproc/ beside it, or into a package folder (stdlib only).

    python build_native.py                 # in place, for the dev environment (make)
    python build_native.py --lambda DIR    # into DIR/docproc, for the Lambda package (Makefile)

The module is optional: where it is not built, docproc runs the same statistics in pure Python
with the same results, a few times slower. For the Lambda package it is built only on a Linux
x86_64 host, with the Python that compiles the package's bytecode (3.11, the runtime's): a
module compiled elsewhere (macOS, arm64) could not load in Lambda's python3.11 on x86_64, so
there the package ships without it and says so. Only libc's memory functions are linked, so
the module loads on Amazon Linux 2 (glibc 2.26); tests/template/test_build.py checks it.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "docproc" / "_native.c"
# -O2: the loops are hash probes and memcmp, which -O3's vectorising does not help.
# -DNDEBUG: no assert() from the Python headers (nor __assert_fail to link).
CFLAGS = ["-O2", "-fPIC", "-shared", "-DNDEBUG", "-fno-strict-aliasing", "-Wall"]


def target_name() -> str:
    return "_native" + (sysconfig.get_config_var("EXT_SUFFIX") or ".so")


def compile_module(out_dir: Path) -> Path:
    out = out_dir / target_name()
    compiler = shlex.split(os.environ.get("CC", "cc"))
    include = sysconfig.get_paths()["include"]
    command = [*compiler, *CFLAGS, f"-I{include}", str(SOURCE), "-o", str(out)]
    subprocess.run(command, check=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lambda", dest="package", type=Path, help="the Lambda package folder")
    args = parser.parse_args(argv)
    if args.package is not None:
        host = (platform.system(), platform.machine())
        if host != ("Linux", "x86_64"):
            print(
                f"build_native: not compiled on {host[0]} {host[1]}: Lambda (python3.11, x86_64) "
                "could not load it; the package runs the pure-Python statistics, a few times slower. "
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
