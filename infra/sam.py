"""template.yaml -> plain CloudFormation, offline, the way `sam package` + the SAM transform do it.

The local stack and the template tests both start here, so nothing restates the template.

The translator is imported only when something is translated (importing it costs ~1.5 s of
CPU), and the local stack's translations are kept on disk under build/, keyed by everything
that decides them: the template as parsed, parameters, region and translator version. A
changed template is translated afresh.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from infra import ROOT, TEMPLATE

FUNCTION_TYPE = "AWS::Serverless::Function"
CACHE_DIR = ROOT / "build" / "sam-cache"
STAND_IN_BUCKET = "docproc-sam-cache-code"  # in cached translations, replaced on the way out


class BundledPolicyLoader:
    """Managed-policy names -> ARNs from the map bundled with the translator (no IAM call)."""

    def load(self) -> dict[str, str]:
        from samtranslator.internal.managed_policies import get_bundled_managed_policy_map

        return get_bundled_managed_policy_map("aws") or {}


def load_sam(path: Path = TEMPLATE) -> dict[str, Any]:
    """The SAM template as a dict, with short-form intrinsics (!Ref, !Sub) expanded.

    Parsed once per version of the file (the tests start many stacks); callers get a copy.
    """
    stat = path.stat()
    return copy.deepcopy(_parse(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=4)
def _parse(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    parsed: dict[str, Any] = yaml_parse(path.read_text(encoding="utf-8"))
    return parsed


def functions(sam: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Logical id -> properties of every serverless function, with Globals applied."""
    globals_ = sam.get("Globals", {}).get("Function", {})
    return {
        logical_id: {**globals_, **res.get("Properties", {})}
        for logical_id, res in sam["Resources"].items()
        if res["Type"] == FUNCTION_TYPE
    }


def code_dir(function_props: dict[str, Any]) -> Path:
    """The local directory a function's CodeUri names (relative to the template)."""
    return (ROOT / str(function_props["CodeUri"])).resolve()


def with_code_uris(sam: dict[str, Any], uris: dict[str, str]) -> dict[str, Any]:
    """A copy of `sam` whose functions' CodeUri are the given s3:// URIs (as `sam package` writes)."""
    out = copy.deepcopy(sam)
    for logical_id, uri in uris.items():
        out["Resources"][logical_id]["Properties"]["CodeUri"] = uri
    return out


def translate(
    sam: dict[str, Any], parameters: dict[str, Any] | None = None, region: str = "us-east-1"
) -> dict[str, Any]:
    """SAM -> CloudFormation with the official translator; CodeUri must already be s3:// URIs.

    The region is given explicitly (a session with no credentials is enough) so translation
    never depends on the caller's AWS configuration.
    """
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    policies = BundledPolicyLoader().load()
    translated: dict[str, Any] = translator.translate(
        copy.deepcopy(sam), parameter_values=dict(parameters or {}), get_managed_policy_map=lambda: policies
    )
    return translated


def translate_cached(
    sam: dict[str, Any],
    code_uris: dict[str, str],
    parameters: dict[str, Any] | None = None,
    region: str = "us-east-1",
) -> dict[str, Any]:
    """translate(with_code_uris(sam, code_uris)), remembered on disk (see the module docstring).

    Translated with a stand-in URI per function, then the real bucket and key put in its place,
    so editing the function's code (a new zip, a new key) does not translate again.
    """
    stand_ins = {logical_id: f"s3://{STAND_IN_BUCKET}/{logical_id}.zip" for logical_id in code_uris}
    generic = with_code_uris(sam, stand_ins)
    key = _translation_key(generic, parameters or {}, region)
    translated = _read_cache(key)
    if translated is None:
        translated = translate(generic, parameters, region)
        _write_cache(key, translated)
    real = {STAND_IN_BUCKET: _bucket_of(next(iter(code_uris.values()), f"s3://{STAND_IN_BUCKET}/"))}
    real.update({stand_ins[i].split("/", 3)[3]: uri.split("/", 3)[3] for i, uri in code_uris.items()})
    substituted: dict[str, Any] = _substitute(translated, real)
    return substituted


def _bucket_of(uri: str) -> str:
    return uri.split("/", 3)[2]


def _substitute(value: Any, strings: dict[str, str]) -> Any:
    """`value` with every string that is a key of `strings` replaced by its value."""
    if isinstance(value, str):
        return strings.get(value, value)
    if isinstance(value, list):
        return [_substitute(v, strings) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, strings) for k, v in value.items()}
    return value


def _translation_key(sam: dict[str, Any], parameters: dict[str, Any], region: str) -> str | None:
    try:
        inputs = json.dumps([sam, parameters, region, metadata.version("aws-sam-translator")], sort_keys=True)
    except (TypeError, ValueError, metadata.PackageNotFoundError):
        return None  # something not plain JSON in the template (a YAML date...): never cached
    return hashlib.sha256(inputs.encode("utf-8")).hexdigest()


def _read_cache(key: str | None) -> dict[str, Any] | None:
    if key is None:
        return None
    try:
        entry = json.loads((CACHE_DIR / "translated.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    template: dict[str, Any] | None = entry.get("template") if entry.get("key") == key else None
    return template


def _write_cache(key: str | None, translated: dict[str, Any]) -> None:
    """One entry (the last translation), replaced atomically: parallel test workers share it."""
    if key is None:
        return
    try:
        text = json.dumps({"key": key, "template": translated})
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=CACHE_DIR, suffix=".tmp", delete=False) as out:
            out.write(text)
        os.replace(out.name, CACHE_DIR / "translated.json")
    except (OSError, TypeError, ValueError):
        return  # a read-only checkout just translates every time
