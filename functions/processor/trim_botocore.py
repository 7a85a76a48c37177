"""Trim the botocore shipped in the function's package to the services the function calls (stdlib only).

    python trim_botocore.py DIR    # DIR: the package folder, after pip installed into it (Makefile)

The package ships its own botocore, pinned in requirements.txt, so the models trimmed here are
read by the very botocore they came with (a trimmed model under another botocore could miss
what that version expects). Every cold start loads the models of the clients it makes from
JSON: S3's service model is 1.4 MB, 80 % of it documentation, and endpoints.json 1.2 MB, for
~300 services per partition; decoding them was about half of making the two clients.

In DIR/botocore/data:
- the folders of services the function does not call (app.SERVICES) are removed;
- the kept services' models keep only the operations the function calls (app.SERVICES) and the
  shapes those reach (S3: 116 operations -> 3, DynamoDB: 62 -> 7), so a client parses and
  builds less;
- the kept services' examples are removed, and their service models lose the documentation of
  the service, operations, shapes and members (botocore reads it only to build docstrings; a
  handler run against moto's server in the tests found the one place it needs some);
- endpoints.json keeps each partition's entries for the kept services only;
- every kept model is written as plain JSON (botocore tries `.json` before `.json.gz`), so no
  cold start decompresses one.
tests/template/test_build.py checks the result against this environment's full models and runs
the packaged handler against the template's resources on moto's server.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DOC_KEYS = frozenset({"documentation", "documentationUrl"})


def called_services(app: Path = HERE / "app.py") -> dict[str, tuple[str, ...]]:
    """app.SERVICES (service -> the operations called), read from the source: importing app would
    import the whole function."""
    for node in ast.parse(app.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
        if any(isinstance(t, ast.Name) and t.id == "SERVICES" for t in targets):
            services = ast.literal_eval(node.value)
            if (
                isinstance(services, dict)
                and services
                and all(isinstance(v, tuple) for v in services.values())
            ):
                return services
    raise ValueError(f"{app}: no SERVICES dict of service -> operations")


def used_only(model: dict[str, Any], operations: tuple[str, ...]) -> dict[str, Any]:
    """The service model with only `operations` and the shapes they reach: botocore builds a
    client method, and parses the model, for every operation a model lists (S3 has 116)."""
    missing = [op for op in operations if op not in model["operations"]]
    if missing:
        raise ValueError(f"{model['metadata'].get('serviceId')}: no operation {', '.join(missing)}")
    shapes: dict[str, Any] = model["shapes"]
    reached: set[str] = set()
    pending = [
        ref["shape"]
        for op in operations
        for ref in (model["operations"][op].get("input"), model["operations"][op].get("output"),
                    *model["operations"][op].get("errors", []))
        if ref
    ]  # fmt: skip
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached.add(name)
        shape = shapes[name]
        pending += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
        pending += [member["shape"] for member in shape.get("members", {}).values()]
    return {
        **model,
        "operations": {op: model["operations"][op] for op in operations},
        "shapes": {name: shape for name, shape in shapes.items() if name in reached},
    }


def without_documentation(model: dict[str, Any]) -> dict[str, Any]:
    """The service model without the documentation of the service, its operations, its shapes
    and their members: botocore reads those (with `.get`) for docstrings only. Documentation
    anywhere else stays: botocore requires some (a client context parameter's)."""
    out = {k: v for k, v in model.items() if k != "documentation"}
    out["operations"] = {name: _undocumented(op) for name, op in model.get("operations", {}).items()}
    shapes = {}
    for name, shape in model.get("shapes", {}).items():
        shapes[name] = _undocumented(shape)
        if isinstance(shape.get("members"), dict):
            shapes[name]["members"] = {m: _undocumented(ref) for m, ref in shape["members"].items()}
    out["shapes"] = shapes
    return out


def _undocumented(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in DOC_KEYS}


def endpoints_for(endpoints: dict[str, Any], services: Iterable[str]) -> dict[str, Any]:
    """endpoints.json with each partition's services cut to `services`."""
    keep = set(services)
    partitions = [
        {**p, "services": {name: entry for name, entry in p["services"].items() if name in keep}}
        for p in endpoints["partitions"]
    ]
    return {**endpoints, "partitions": partitions}


def read_json(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return json.loads(raw)


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")


def trim(data_dir: Path, services: dict[str, tuple[str, ...]]) -> None:
    for entry in data_dir.iterdir():
        if entry.is_dir() and entry.name not in services:
            shutil.rmtree(entry)
    missing = [s for s in services if not (data_dir / s).is_dir()]
    if missing:
        raise ValueError(f"{data_dir}: botocore has no model for {', '.join(missing)}")
    for model in sorted(p for s in services for p in (data_dir / s).glob("*/*.json*")):
        name = model.name.removesuffix(".gz").removesuffix(".json")
        if name.startswith("examples-"):
            model.unlink()
            continue
        if model.suffix != ".gz" and not name.startswith("service-"):
            continue  # small, plain JSON already
        content = read_json(model)
        if name.startswith("service-") and "shapes" in content:  # not the sdk-extras
            content = without_documentation(used_only(content, services[model.parent.parent.name]))
        model.unlink()
        write_json(model.parent / f"{name}.json", content)
    endpoints = data_dir / "endpoints.json"
    write_json(endpoints, endpoints_for(read_json(endpoints), services))


def size_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("package", type=Path, help="the Lambda package folder")
    args = parser.parse_args(argv)
    data_dir = args.package / "botocore" / "data"
    if not data_dir.is_dir():
        parser.error(f"{data_dir} is not there: install requirements.txt into {args.package} first")
    services = called_services()
    before = size_mib(data_dir)
    trim(data_dir, services)
    kept = ", ".join(f"{name} ({len(ops)} operations)" for name, ops in services.items())
    print(f"botocore models: {kept} kept, {before:.1f} -> {size_mib(data_dir):.2f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
