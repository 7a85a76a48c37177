"""template.yaml -> plain CloudFormation, offline, the way `sam package` + the SAM transform do it.

The local stack and the template tests both start here, so nothing restates the template.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import boto3
from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

from infra import ROOT, TEMPLATE

FUNCTION_TYPE = "AWS::Serverless::Function"


class BundledPolicyLoader:
    """Managed-policy names -> ARNs from the map bundled with the translator (no IAM call)."""

    def load(self) -> dict[str, str]:
        return get_bundled_managed_policy_map("aws") or {}


def load_sam(path: Path = TEMPLATE) -> dict[str, Any]:
    """The SAM template as a dict, with short-form intrinsics (!Ref, !Sub) expanded.

    Parsed once per version of the file (the tests start many stacks); callers get a copy.
    """
    stat = path.stat()
    return copy.deepcopy(_parse(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=4)
def _parse(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
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
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    policies = BundledPolicyLoader().load()
    translated: dict[str, Any] = translator.translate(
        copy.deepcopy(sam), parameter_values=dict(parameters or {}), get_managed_policy_map=lambda: policies
    )
    return translated
