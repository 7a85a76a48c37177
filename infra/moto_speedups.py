"""Make two moto DynamoDB calls cost what they cost in DynamoDB, for the local stack.

Each document write queries the LSH band partitions it shares with earlier documents and
ends in a transaction (docs/table.md). In moto 5.2.5 both were O(table), so local runs grew quadratically:

- A Query on the base table sorted and filtered every item of the table to find one
  partition. The patched query reads that partition only (the same items, the same code).
- TransactWriteItems snapshots a transaction's table with `copy.deepcopy(table)` once per action, to
roll back on failure: three whole-table copies per document. The patched call snapshots
only the items the transaction names, makes moto's whole-table copy a no-op during the call,
and restores those items if moto cancels the transaction.

Measured with `docproc local run` on 170 documents (the sample, its edits, news articles and
crawled pages; a shared 2-core machine): 14 min wall / 4 min 13 s CPU before, 3.5 min / 59 s
after, with the same records. moto's own code and semantics are kept; only which items
it looks at changes. Used by the local stack only; the function never sees it.

Three more, for start-up and per-request cost (issue #7):
- Region lists: moto's EC2 models (imported by its CloudFormation) ask a new boto3 Session for
  the regions of EC2 three times at import, each loading botocore's endpoint data and EC2's
  whole service model (~1 s CPU of a 2.4 s import). The lists come from botocore's bundled
  data, so they are computed once per process with one shared session.
- SQS ReceiveMessage checked each message's retention period through GetQueueAttributes,
  which recomputes every attribute, message counts included: O(queue) per message received,
  so draining n queued messages cost O(n^2). The check now reads the one attribute it needs.
- Every request listed its response class's methods with inspect.getmembers (~7% of a
  small DynamoDB call); the list is remembered per class.
- moto's response serializer looks each output member up under every alias its alias
  providers propose, deciding the aliases anew for every value: 36 ms of CPU to return one
  document record (each attribute value is a structure of ten members). The aliases depend
  only on the member's name and shape, the shape's parent and the value's class, so they
  are decided once per such combination (objects with their own alias table are left alone).
- A new DynamoDB item re-measured all the attributes it already had each time it took one
  (O(attributes^2), nested maps walked each time): the same 405000-byte check is made with
  a running total while the item is built.

Eight more per-request costs (issue #7, measured 2026-12-02 on the shared 2-core machine):
- Signing: botocore signed every request with SigV4 (canonical request, payload hash, five
  HMACs) for a signature moto never checks unless its IAM authentication is switched on. A
  request the in-process mock answers (an *.amazonaws.com URL while `mock_aws` runs, moto's
  authentication off) now carries the same SigV4 headers (date, token, S3's payload hash, the
  credential scope moto reads the access key and region from, the signed headers) with a
  placeholder signature; every other request (a local server's, real AWS's) is signed as
  before. A band Query: 0.88 -> 0.70 ms of CPU.
- SQS SendMessage (every upload's S3 notification) asked the queue for ContentBasedDeduplication
  through all its attributes, message counts included: O(queue) per message sent, so queueing
  n uploads cost O(n^2) (an upload's PutObject took 2.2 ms with 30 files queued, 3.4 ms with
  200). A standard queue's first attribute read in a send (that attribute, which only a FIFO
  queue has) is answered without counting; 1.4 ms with 200 queued.
- moto rebuilt each service's URL table for every request (S3's by re-importing its urls
  module): built once per backend class, ISO-regions switch and custom S3 endpoints.
- Request ids: 52 random characters per response drawn with one random.choice call each; now
  one random.choices call (same alphabet and length).
- The daily counters' UpdateExpression was parsed twice per transaction: one tree per
  expression string (moto's validator works on a deep copy of it).
- Attribute values in responses (the records `docproc local run` reads back, band and record
  reads) went through the serializer's ten-member structure walk each; a value of one type key
  (S, N, BOOL, NULL, SS, NS, or a map or list of those) is written as the same value, copied;
  binary and anything unexpected still go through moto's own code.
- Attribute values in requests (the record in each transaction, band items, the hash claim)
  likewise: one of those types is read as it came (moto's JSON parser keeps their strings,
  numbers and booleans as they are); binary values (base64-decoded) are still moto's.
- moto looked a service's account backend up several times per request under a lock, listing
  the accounts and comparing the dict with every registered one; an account already present
  in a registered dict is returned directly (new accounts and reset dicts still take moto's
  path). A band Query: 0.85 -> 0.78 ms (medians of 3 alternating runs of 500).
The first six together, on 100 bench documents (CPU from the stack started to the records
read back, medians of 3 runs alternating with the commit before): 52.8 -> 45.7 ms per document.

Eight more (2026-12-02, the 2-core EPYC host), each tested against the code it stands in for:
- botocore's side of the same attribute values: its validator, JSON serializer and JSON parser
  walked each value as a ten-member structure; a plain value (the check above) is passed,
  written and read as it is. Anything else, and every error message, is botocore's.
- moto's dynamo_to_dict (every item in a response) decides the common types by exact type.
- moto's UpdateExpression validation (the counters' update in each transaction) ran ten
  processors, each remaking its processing map twice per node and matching nodes with
  isinstance on abstract classes: the map is made once per processor, the match once per class.
- Key size checks, attribute value sizes and DynamoType construction without the intermediate
  DynamoType copies and repeated type tests moto makes (the same sizes and values).
- The WSGI environ of each request built as werkzeug's EnvironBuilder builds it, without it.
Same-process A/B (the new patches on and off in alternating rounds): a document's transaction
6.7 -> 5.2 ms, its band write 3.4 -> 3.1 ms, reading 100 records back 97 -> 61 ms.
"""

from __future__ import annotations

import copy
import functools
import logging
import math
import os
import string
import sys
import threading
from collections.abc import Callable
from io import BytesIO
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit

log = logging.getLogger("docproc.local")

_installed = False
_query_scope = threading.local()  # (table, items of one partition) while a query runs
_sending = threading.local()  # the queue an SQS SendMessage is adding to
S3_CUSTOM_ENDPOINTS = "MOTO_S3_CUSTOM_ENDPOINTS"  # read by moto.s3.urls when it is (re)imported
PLACEHOLDER_SIGNATURE = "0" * 64  # in the Authorization header of requests moto answers in process
DYNAMODB_VALUE_MEMBERS = frozenset(("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"))
QUERY_INDEX_NAME_POSITION = 6  # Table.query(hash_key, range_comparison, ..., index_name, ...)


def install() -> None:
    """Patch moto's DynamoDB backend once per process (idempotent)."""
    global _installed
    if _installed:
        return
    _install_region_lists()
    _install_transactions()
    _install_partition_queries()
    _install_sqs_retention_check()
    _install_action_lookup()
    _install_serializer_aliases()
    _install_item_size_check()
    _install_sqs_send_check()
    _install_placeholder_signatures()
    _install_backend_urls()
    _install_random_strings()
    _install_update_expressions()
    _install_attribute_values()
    _install_attribute_value_requests()
    _install_backend_lookup()
    _install_client_attribute_values()
    _install_item_dicts()
    _install_update_traversal()
    _install_key_size_check()
    _install_value_sizes()
    _install_value_construction()
    _install_request_environ()
    _installed = True
    log.info("patched moto: queries read one partition, transactions snapshot the items they touch")


def _install_region_lists() -> None:
    import boto3.session

    original = boto3.session.Session.get_available_regions
    shared: list[Any] = []  # one session, made on first use (after the caller set its env)
    known: dict[tuple[str, str, bool], list[str]] = {}

    @functools.wraps(original)
    def get_available_regions(
        self: Any, service_name: str, partition_name: str = "aws", allow_non_regional: bool = False
    ) -> list[str]:
        key = (service_name, partition_name, allow_non_regional)
        if key not in known:
            if not shared:
                shared.append(boto3.session.Session())
            known[key] = original(shared[0], *key)
        return list(known[key])

    boto3.session.Session.get_available_regions = get_available_regions


def _install_sqs_retention_check() -> None:
    from moto.sqs.models import SQSBackend, unix_time

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        # moto's own test, with the period read from the queue instead of from all its attributes.
        retention_period = int(self.get_queue(queue_name).message_retention_period)
        return bool(retention_period + message.sent_timestamp / 1000 > unix_time())

    SQSBackend.is_message_valid_based_on_retention_period = (  # type: ignore[method-assign]
        is_message_valid_based_on_retention_period
    )


def _install_sqs_send_check() -> None:
    from moto.sqs.models import Queue, SQSBackend

    original_send = SQSBackend.send_message
    original_attributes: Any = Queue.__dict__["attributes"]

    @functools.wraps(original_send)
    def send_message(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        _sending.queue = self.get_queue(queue_name)
        try:
            return original_send(self, queue_name, *args, **kwargs)
        finally:
            _sending.queue = None

    def attributes(self: Any) -> dict[str, Any]:
        sending = getattr(_sending, "queue", None) is self
        if not sending or self.fifo_queue:
            every: dict[str, Any] = original_attributes.fget(self)
            return every
        # The first read of a standard queue's attributes in a send is its one question,
        # ContentBasedDeduplication, which only a FIFO queue has: absent either way, without
        # counting the queue's messages. Any later read gets them all.
        _sending.queue = None
        return {}

    SQSBackend.send_message = send_message  # type: ignore[method-assign]
    Queue.attributes = property(attributes)  # type: ignore[assignment]


def _install_placeholder_signatures() -> None:
    from botocore import auth
    from moto import settings
    from moto.core.models import botocore_stubber

    original = auth.SigV4Auth.add_auth
    header_signers = (auth.SigV4Auth, auth.S3SigV4Auth)

    @functools.wraps(original)
    def add_auth(self: Any, request: Any) -> None:
        answered_by_moto = (
            botocore_stubber.enabled
            and math.isinf(settings.INITIAL_NO_AUTH_ACTION_COUNT)  # moto checks no signature
            and (urlsplit(request.url).hostname or "").endswith(".amazonaws.com")
        )
        if not answered_by_moto or type(self) not in header_signers or self.credentials is None:
            original(self, request)
            return
        # SigV4's headers (date, token, S3's content hash, the credential scope and signed
        # headers moto reads the access key and region from), minus the HMAC chain itself.
        request.context["timestamp"] = auth.get_current_datetime().strftime(auth.SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        self._inject_signature_to_request(request, PLACEHOLDER_SIGNATURE)

    auth.SigV4Auth.add_auth = add_auth


def _install_backend_urls() -> None:
    from moto import settings
    from moto.core.base_backend import BaseBackend

    original: Any = BaseBackend.__dict__["urls"]
    built: dict[tuple[Any, ...], dict[str, Any]] = {}

    def urls(self: Any) -> dict[str, Any]:
        # What moto builds them from each time: the backend's urls module (which S3 re-imports
        # every time, for custom endpoints named in the environment) and the ISO-regions switch.
        key = (type(self), settings.enable_iso_regions(), os.environ.get(S3_CUSTOM_ENDPOINTS))
        if key not in built:
            built[key] = original.fget(self)
        return dict(built[key])

    BaseBackend.urls = property(urls)  # type: ignore[assignment, method-assign]


def _install_random_strings() -> None:
    from moto.moto_api._internal.moto_random import MotoRandom

    def get_random_string(
        self: Any, length: int = 20, include_digits: bool = True, lower_case: bool = False
    ) -> str:
        # moto's alphabet and length, drawn in one call instead of one call per character.
        pool = string.ascii_letters + string.digits if include_digits else string.ascii_letters
        random_str = "".join(self.choices(pool, k=length))
        return random_str.lower() if lower_case else random_str

    MotoRandom.get_random_string = get_random_string  # type: ignore[method-assign]


def _install_update_expressions() -> None:
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

    original = UpdateExpressionParser.make
    parsed: dict[str, Any] = {}

    @functools.wraps(original)
    def make(cls: Any, expression_str: str) -> Any:
        # moto reads the tree (find_clauses) and its validator works on a deep copy of it, so
        # one tree per expression serves every call; an expression that fails to parse raises
        # each time, as before.
        if expression_str not in parsed:
            parsed[expression_str] = original(expression_str)
        return parsed[expression_str]

    UpdateExpressionParser.make = classmethod(make)


def _install_attribute_values() -> None:
    from moto.core.serialize import BaseJSONSerializer, XFormedAttributePicker

    original = BaseJSONSerializer._serialize_type_structure

    @functools.wraps(original)
    def _serialize_type_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        picker = self._value_picker
        if (
            key
            and shape.name == "AttributeValue"
            and shape.members.keys() >= DYNAMODB_VALUE_MEMBERS
            and type(picker) is XFormedAttributePicker
            and not picker.response_transformers
        ):
            written = _written_attribute_value(value)
            if written is not None:
                serialized[self.get_serialized_name(shape, key)] = written
                return
        original(self, serialized, value, shape, key)

    BaseJSONSerializer._serialize_type_structure = _serialize_type_structure  # type: ignore[method-assign]


def _written_attribute_value(value: Any) -> dict[str, Any] | None:
    """What moto's serializer writes for a DynamoDB attribute value (one type key: a string,
    number, boolean, null, string or number set, or a map or list of such values): the same
    value, copied. None for anything else (binary, several keys, unexpected types), which
    moto serializes itself."""
    return _copied_attribute_value(value, _written_leaf)


def _written_leaf(kind: str, inner: Any) -> dict[str, Any] | None:
    if kind in ("S", "N"):
        return {kind: inner} if type(inner) is str else None
    if kind in ("BOOL", "NULL"):
        return {kind: inner} if type(inner) is bool else None
    if kind in ("SS", "NS"):
        plain_strings = type(inner) is list and all(type(s) is str for s in inner)
        return {kind: list(inner)} if plain_strings else None
    return None


def _copied_attribute_value(
    value: Any, leaf: Callable[[str, Any], dict[str, Any] | None]
) -> dict[str, Any] | None:
    """An attribute value of one type key copied, maps and lists member by member, every other
    type as `leaf` copies it; None as soon as `leaf` (or the shape) says moto must handle it."""
    if type(value) is not dict or len(value) != 1:
        return None
    ((kind, inner),) = value.items()
    if kind == "M" and type(inner) is dict:
        members = {}
        for name, member in inner.items():
            copied = _copied_attribute_value(member, leaf)
            if copied is None or type(name) is not str:
                return None
            members[name] = copied
        return {"M": members}
    if kind == "L" and type(inner) is list:
        items = []
        for member in inner:
            copied = _copied_attribute_value(member, leaf)
            if copied is None:
                return None
            items.append(copied)
        return {"L": items}
    return leaf(kind, inner)


def _install_attribute_value_requests() -> None:
    from moto.core.parse import BaseJSONParser

    original = BaseJSONParser._parse_structure

    @functools.wraps(original)
    def _parse_structure(self: Any, shape: Any, value: Any) -> Any:
        if (
            shape.name == "AttributeValue"
            and self.MAP_TYPE is dict
            and shape.members.keys() >= DYNAMODB_VALUE_MEMBERS
        ):
            read = _read_attribute_value(value)
            if read is not None:
                return read
        return original(self, shape, value)

    BaseJSONParser._parse_structure = _parse_structure  # type: ignore[method-assign]


def _read_attribute_value(value: Any) -> dict[str, Any] | None:
    """What moto's JSON parser makes of a DynamoDB attribute value in a request (one type key,
    not binary): strings, numbers, booleans and nulls as they came, sets, maps and lists
    copied with their members read the same way. None where moto must parse it itself."""
    return _copied_attribute_value(value, _read_leaf)


def _read_leaf(kind: str, inner: Any) -> dict[str, Any] | None:
    if inner is None:
        return None
    if kind in ("S", "N", "BOOL", "NULL"):
        return {kind: inner}
    if kind in ("SS", "NS"):
        return {kind: list(inner)} if type(inner) is list else None
    return None


def _install_client_attribute_values() -> None:
    from botocore.parsers import BaseJSONParser
    from botocore.serialize import JSONSerializer
    from botocore.validate import ParamValidator

    original_validate = ParamValidator._validate_structure
    original_serialize = JSONSerializer._serialize_type_structure
    original_parse = BaseJSONParser._handle_structure

    @functools.wraps(original_validate)
    def _validate_structure(self: Any, params: Any, shape: Any, errors: Any, name: str) -> None:
        # A value botocore's walk would find nothing wrong with reports nothing; anything else
        # (the errors and their wording included) is botocore's.
        if not (_is_attribute_value_shape(shape) and _valid_attribute_value(params)):
            original_validate(self, params, shape, errors, name)

    @functools.wraps(original_serialize)
    def _serialize_type_structure(self: Any, serialized: Any, value: Any, shape: Any, key: Any) -> None:
        if key is not None and self.MAP_TYPE is dict and _is_attribute_value_shape(shape):
            written = _written_attribute_value(value)  # botocore writes such a value as it is
            if written is not None:
                serialized[key] = written
                return
        original_serialize(self, serialized, value, shape, key)

    @functools.wraps(original_parse)
    def _handle_structure(self: Any, shape: Any, value: Any) -> Any:
        if _is_attribute_value_shape(shape):
            read = _written_attribute_value(value)  # and reads one back as it came
            if read is not None:
                return read
        return original_parse(self, shape, value)

    ParamValidator._validate_structure = _validate_structure
    JSONSerializer._serialize_type_structure = _serialize_type_structure
    BaseJSONParser._handle_structure = _handle_structure


_attribute_value_shapes: dict[Any, bool] = {}  # botocore shape -> DynamoDB's AttributeValue as checked


def _is_attribute_value_shape(shape: Any) -> bool:
    """DynamoDB's AttributeValue as the fast paths assume it: the ten members, each a plain
    string, blob, boolean, list or map with no length bounds, not a tagged union."""
    known = _attribute_value_shapes.get(shape)
    if known is None:
        known = _attribute_value_shapes[shape] = _check_attribute_value_shape(shape)
    return known


def _check_attribute_value_shape(shape: Any) -> bool:
    if getattr(shape, "name", None) != "AttributeValue" or shape.type_name != "structure":
        return False
    members = shape.members
    if members.keys() != DYNAMODB_VALUE_MEMBERS or shape.is_tagged_union or shape.is_document_type:
        return False
    if shape.metadata.get("required"):
        return False
    kinds = {"S": "string", "N": "string", "B": "blob", "SS": "list", "NS": "list", "BS": "list"}
    kinds |= {"M": "map", "L": "list", "NULL": "boolean", "BOOL": "boolean"}
    inner = [m.member for m in members.values() if m.type_name == "list"]
    inner += [members["M"].key] if members["M"].type_name == "map" else []
    bounded = any("min" in m.metadata or m.serialization for m in [*members.values(), *inner])
    return all(members[k].type_name == t for k, t in kinds.items()) and not bounded


def _valid_attribute_value(value: Any) -> bool:
    """True for a value botocore's validator passes without a word: one type key, of the
    right Python type, maps and lists of such values."""
    if type(value) is not dict or len(value) != 1:
        return False
    ((kind, inner),) = value.items()
    if kind in ("S", "N"):
        return type(inner) is str
    if kind in ("BOOL", "NULL"):
        return type(inner) is bool
    if kind == "B":
        return type(inner) in (bytes, bytearray, str)
    if kind in ("SS", "NS", "BS"):
        allowed = (str,) if kind != "BS" else (bytes, bytearray, str)
        return type(inner) is list and all(type(s) in allowed for s in inner)
    if kind == "M":
        return type(inner) is dict and all(
            type(k) is str and _valid_attribute_value(v) for k, v in inner.items()
        )
    if kind == "L":
        return type(inner) is list and all(_valid_attribute_value(v) for v in inner)
    return False


def _install_item_dicts() -> None:
    from moto.dynamodb import responses
    from moto.dynamodb.models import utilities
    from moto.dynamodb.models.dynamo_type import DynamoType

    original = utilities.dynamo_to_dict

    @functools.wraps(original)
    def dynamo_to_dict(obj: Any) -> Any:
        # moto's conversion, with the common types decided by their exact type instead of an
        # isinstance and hasattr chain per value; anything else (binary, datetimes, objects
        # with to_json) goes through moto's own code.
        kind = type(obj)
        if kind is str or kind is int or kind is bool or obj is None:
            return obj
        if kind is dict:
            return {k: dynamo_to_dict(v) for k, v in obj.items()}
        if kind is list:
            return [dynamo_to_dict(v) for v in obj]
        if kind is DynamoType and obj.type not in ("B", "BS"):
            return {obj.type: dynamo_to_dict(obj.value)}
        return original(obj)

    utilities.dynamo_to_dict = dynamo_to_dict
    responses.dynamo_to_dict = dynamo_to_dict


def _install_update_traversal() -> None:
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node  # type: ignore[attr-defined]

    original = DepthFirstTraverser.traverse_node_recursively
    stock = (DepthFirstTraverser.nodes_to_be_processed, DepthFirstTraverser.process)
    matched: dict[tuple[type, type], Any] = {}  # (processor, node class) -> the map's class it falls under
    no_match = object()
    nodes: dict[type, bool] = {}  # whether a class is one of moto's AST nodes (an abstract class's check)

    @functools.wraps(original)
    def traverse_node_recursively(self: Any, node: Any, child_id: int = -1) -> Any:
        # moto's walk, which validates each UpdateExpression with ten processors, each asking
        # for its processing map (a new dict) twice per node and matching the node against its
        # classes with isinstance on abstract classes. A processor's map is fixed (node classes
        # to its own methods), so it is made once per processor and the class a node falls
        # under (and whether it is a node at all) is decided once per node class. Processors
        # that change how nodes are matched or processed keep moto's walk.
        processor = type(self)
        if (processor.nodes_to_be_processed, processor.process) != stock:
            return original(self, node, child_id)
        is_node = nodes.get(type(node))
        if is_node is None:
            is_node = nodes[type(node)] = isinstance(node, Node)
        if not is_node:
            return node
        parent_node = node.parent
        if node.children is not None:
            for i, child_node in enumerate(node.children):
                self.pre_processing_of_child(node, i)
                self.traverse_node_recursively(child_node, i)
        processing = self.__dict__.get("_processing")
        if processing is None:
            processing = self.__dict__["_processing"] = self._processing_map()
        key = matched.get((processor, type(node)))
        if key is None:
            key = next((k for k in processing if isinstance(node, k)), no_match)
            matched[(processor, type(node))] = key
        if key is not no_match:
            node = processing[key](node)
            node.parent = parent_node
            if parent_node:
                parent_node.children[child_id] = node
        return node

    DepthFirstTraverser.traverse_node_recursively = traverse_node_recursively


def _install_key_size_check() -> None:
    from moto.dynamodb.exceptions import HashKeyTooLong, RangeKeyTooLong
    from moto.dynamodb.limits import HASH_KEY_MAX_LENGTH, RANGE_KEY_MAX_LENGTH
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original = Table._validate_key_sizes

    @functools.wraps(original)
    def _validate_key_sizes(self: Any, item_attrs: dict[str, Any]) -> None:
        # moto's checks in moto's order, a string key's size (its UTF-8 bytes, what
        # DynamoType.size() gives a string) measured without making a DynamoType for it.
        checks: list[tuple[list[str], int, type[Exception]]] = [
            (self.hash_key_names, HASH_KEY_MAX_LENGTH, HashKeyTooLong),
            (self.range_key_names, RANGE_KEY_MAX_LENGTH, RangeKeyTooLong),
        ]
        for names, limit, too_long in checks:
            for name in names:
                value = item_attrs.get(name)
                if not value:
                    continue
                text = value.get("S") if type(value) is dict and len(value) == 1 else None
                size = len(text.encode("utf-8")) if type(text) is str else DynamoType(value).size()
                if size > limit:
                    raise too_long

    Table._validate_key_sizes = _validate_key_sizes  # type: ignore[method-assign]


def _install_value_sizes() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.utilities import bytesize

    original = DynamoType.size

    def measured(value: Any) -> int:
        """DynamoType.size(), the same sums: a map's members measured as they are instead of
        through a new DynamoType each (a copy of the member and all it holds)."""
        kind, inner = value.type, value.value
        if kind == "N":
            return len(str(inner))
        if kind == "SS" and all(type(v) is str for v in inner):
            return sum(len(v.encode("utf-8")) for v in inner)
        if kind in ("SS", "NS", "BS"):
            return int(original(value))
        if kind == "L":
            return sum(measured(v) if type(v) is DynamoType else v.size() for v in inner)
        if kind == "M":
            return sum(
                bytesize(k) + (measured(v) if type(v) is DynamoType else DynamoType(v).size())
                for k, v in inner.items()
            )
        if isinstance(inner, bool):
            return 1
        return bytesize(inner)

    @functools.wraps(original)
    def size(self: Any) -> int:
        return measured(self) if type(self) is DynamoType else int(original(self))

    DynamoType.size = size  # type: ignore[method-assign]


def _install_value_construction() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    original = DynamoType.__init__

    @functools.wraps(original)
    def __init__(self: Any, type_as_dict: Any) -> None:
        # moto's construction for the common input, a dict of one type key, without listing
        # the dict twice and asking is_list()/is_map() for each value (every attribute of
        # every item written or read becomes one of these, a map's members each another).
        if type(type_as_dict) is not dict or len(type_as_dict) != 1:
            original(self, type_as_dict)
            return
        ((kind, value),) = type_as_dict.items()
        self.type = kind
        if kind == "L":
            value = [DynamoType(v) for v in value]
        elif kind == "M":
            value = {k: DynamoType(v) for k, v in value.items()}
        self.value = value

    DynamoType.__init__ = __init__  # type: ignore[method-assign]


def _install_request_environ() -> None:
    import inspect

    from moto.core.request import Request
    from werkzeug.datastructures.headers import _str_header_value
    from werkzeug.urls import iri_to_uri

    original: Any = inspect.getattr_static(Request, "from_values")  # werkzeug's, which moto inherits
    # werkzeug's own helpers, which the builder calls; a URL's conversion depends on it alone.
    _werkzeug.update(str_header_value=_str_header_value, iri_to_uri=functools.lru_cache(4096)(iri_to_uri))

    def from_values(cls: Any, *args: Any, **kwargs: Any) -> Any:
        # moto turns each request it answers in process into a werkzeug Request through
        # werkzeug's EnvironBuilder, a general test-client tool (~13% of a small call's CPU).
        # For what moto passes (a method, a base URL, a path, a query string, a bytes body and
        # header pairs) the environ is built here as EnvironBuilder builds it, key for key in
        # its order; anything else goes through werkzeug.
        environ = None if args else _builder_environ(**kwargs)
        if environ is None:
            return original.__func__(cls, *args, **kwargs)
        return cls(environ)

    Request.from_values = classmethod(from_values)  # type: ignore[assignment]


ENVIRON_ARGUMENTS = frozenset(("method", "base_url", "path", "query_string", "data", "headers"))
_werkzeug: dict[str, Callable[[str], str]] = {}  # the helpers _builder_environ calls, bound at install


def _builder_environ(**kwargs: Any) -> dict[str, Any] | None:
    """The environ werkzeug's EnvironBuilder(**kwargs).get_environ() returns, for the arguments
    moto passes; None where the builder would do something else (forms, files, a base URL or
    path it would split differently, header values it would convert)."""
    if kwargs.keys() != ENVIRON_ARGUMENTS:
        return None
    iri_to_uri, str_header_value = _werkzeug["iri_to_uri"], _werkzeug["str_header_value"]
    method, base_url, path = kwargs["method"], kwargs["base_url"], kwargs["path"]
    query_string, data, headers = kwargs["query_string"], kwargs["data"], kwargs["headers"]
    plain_path = type(path) is str and path.startswith("/") and not path.startswith("//")
    # (urlsplit, which the builder applies to the path, would drop tabs and line breaks)
    if not plain_path or any(c in path for c in "?#\t\r\n") or type(query_string) is not str:
        return None
    if type(method) is not str or type(base_url) is not str or type(data) is not bytes:
        return None
    if type(headers) is not list or not all(
        type(h) is tuple and len(h) == 2 and type(h[0]) is str and type(h[1]) is str for h in headers
    ):
        return None
    scheme, host, script_root, qs, anchor = urlsplit(iri_to_uri(base_url))
    if qs or anchor or script_root:
        return None
    values = [(key, str_header_value(value)) for key, value in headers]
    content_type = next((v for k, v in values if k.lower() == "content-type"), None)
    mimetype = content_type.partition(";")[0].strip() if content_type else None
    content_length: int | None = None
    if data:
        input_stream = BytesIO(data)
        content_length = len(data)
    elif mimetype == "multipart/form-data":
        return None
    elif mimetype == "application/x-www-form-urlencoded":
        input_stream = BytesIO(b"")
        content_length = 0
    else:
        input_stream = BytesIO()
    server_name, sep, port = host.partition(":")
    server_port = int(port) if sep and port.isdigit() and port.isascii() else None
    if sep and server_port is None:
        return None  # werkzeug's int() of a port it cannot read: left to it
    if server_port is None:
        server_port = 443 if scheme == "https" else 80
    raw_uri = path.encode().decode("latin1")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(iri_to_uri(path)).encode().decode("latin1"),
        "QUERY_STRING": query_string.encode().decode("latin1"),
        "REQUEST_URI": raw_uri,
        "RAW_URI": raw_uri,
        "SERVER_NAME": server_name,
        "SERVER_PORT": str(server_port),
        "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": input_stream,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    if content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    combined: dict[str, list[str]] = {}
    for key, value in values:
        if key.lower() not in ("content-type", "content-length"):
            combined.setdefault(f"HTTP_{key.upper().replace('-', '_')}", []).append(value)
    for key, parts in combined.items():
        environ[key] = ", ".join(parts)
    return environ


def _install_backend_lookup() -> None:
    from moto.core.base_backend import BackendDict

    original = BackendDict.__getitem__

    @functools.wraps(original)
    def __getitem__(self: Any, account_id: str) -> Any:
        # moto's lookup takes its lock, lists the accounts and compares this dict with every
        # registered one (BackendDict.__eq__) on every call, several times per request. An
        # account already there in a registered dict is returned as it is; anything else (a new
        # account, the dicts moto's reset cleared and unregistered) goes through moto's code.
        registered: list[Any] = BackendDict._instances  # type: ignore[misc]
        if dict.__contains__(self, account_id) and any(d is self for d in registered):
            return dict.__getitem__(self, account_id)
        return original(self, account_id)

    BackendDict.__getitem__ = __getitem__  # type: ignore[method-assign]


def _install_action_lookup() -> None:
    from moto.core import responses

    original = responses.method_names_from_class
    cache: dict[type, list[str]] = {}

    @functools.wraps(original)
    def method_names_from_class(clazz: Any) -> list[str]:
        if clazz not in cache:
            cache[clazz] = original(clazz)
        return cache[clazz]

    responses.method_names_from_class = method_names_from_class


def _install_serializer_aliases() -> None:
    from moto.core.serialize import AttributePickerContext, ResponseSerializer, XFormedAttributePicker

    original_keys = XFormedAttributePicker.get_possible_keys
    original_value = ResponseSerializer.get_value
    decided: dict[tuple[Any, ...], tuple[str, ...]] = {}

    def possible_keys(picker: Any, context: Any) -> tuple[str, ...]:
        shape = context.shape
        # The shape objects themselves (not their ids) are in the key: kept alive, never reused.
        parent = getattr(shape, "parent", None)
        key = (context.key, shape, parent, type(context.obj), tuple(picker.alias_providers))
        keys = decided.get(key)
        if keys is None:
            keys = decided[key] = tuple(original_keys(picker, context))
        return keys

    @functools.wraps(original_keys)
    def get_possible_keys(self: Any, context: Any) -> Any:
        if hasattr(context.obj, "Meta"):  # ExplicitAlias reads the object's own alias table
            return original_keys(self, context)
        return possible_keys(self, context)

    @functools.wraps(original_value)
    def get_value(self: Any, value: Any, key: str, shape: Any) -> Any:
        picker = self._value_picker
        plain = type(value) is dict and type(picker) is XFormedAttributePicker
        if not plain or picker.response_transformers:
            return original_value(self, value, key, shape)
        # A plain dict (every DynamoDB attribute value): the picker's own lookup, minus its
        # per-value context and dotted-path machinery (member names hold no dots).
        keys = decided.get((key, shape, getattr(shape, "parent", None), dict, tuple(picker.alias_providers)))
        if keys is None:
            keys = possible_keys(picker, AttributePickerContext(obj=value, key=key, shape=shape))
        for name in keys:
            if name in value:
                return value[name]
        return None

    XFormedAttributePicker.get_possible_keys = get_possible_keys  # type: ignore[method-assign]
    ResponseSerializer.get_value = get_value  # type: ignore[method-assign]


def _install_partition_queries() -> None:
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items

    @functools.wraps(original_all_items)
    def all_items(self: Any) -> Any:
        scope = getattr(_query_scope, "partition", None)
        if scope is not None and scope[0] is self:
            return scope[1]
        return original_all_items(self)

    @functools.wraps(original_query)
    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[QUERY_INDEX_NAME_POSITION] if len(args) > QUERY_INDEX_NAME_POSITION else None
        index_name = kwargs.get("index_name", index_name)
        if index_name is not None or hash_key is None or not self.range_key_attr:
            return original_query(self, hash_key, *args, **kwargs)
        partition = self.items.get(hash_key, {})  # .get: items is a defaultdict
        # A thread-local scope: band queries run concurrently, each sees its own partition.
        _query_scope.partition = (self, sorted(partition.values(), key=lambda item: item.range_key))
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _query_scope.partition = None

    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]


def _install_item_size_check() -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict, bytesize

    original = Item.__init__
    limit = 405000  # moto's limit (LimitedSizeDict.__setitem__)

    @functools.wraps(original)
    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        self.attrs = LimitedSizeDict()
        total = 0  # what LimitedSizeDict would sum: the keys and values set so far
        for key, value in attrs.items():
            typed = DynamoType(value)
            size = bytesize(key) + typed.size()
            if total + size > limit:
                raise ItemSizeTooLarge
            dict.__setitem__(self.attrs, key, typed)
            total += size

    Item.__init__ = __init__  # type: ignore[method-assign]


def _install_transactions() -> None:
    from moto.dynamodb import models

    original = models.DynamoDBBackend.transact_write_items
    table_class = models.Table

    def deepcopy_except_tables(value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, table_class) else copy.deepcopy(value, memo)

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        snapshot = [_snapshot(self, action) for action in transact_items]
        real_copy = models.copy
        models.copy = SimpleNamespace(deepcopy=deepcopy_except_tables, copy=copy.copy)  # type: ignore[assignment]
        try:
            original(self, transact_items)
        except Exception:
            for saved in snapshot:
                if saved is not None:
                    _restore(*saved)
            raise
        finally:
            models.copy = real_copy

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _snapshot(backend: Any, action: dict[str, Any]) -> tuple[Any, Any, Any, Any] | None:
    """(table, hash key, range key, deep copy of the item or None) for one action."""
    try:
        _, op = next(iter(action.items()))
        table = backend.get_table(op["TableName"])
        key = op["Item"] if "Item" in op else op["Key"]
        hash_value = _dynamo(key[table.hash_key_attr])
        range_value = _dynamo(key[table.range_key_attr]) if table.range_key_attr else None
    except Exception:
        return None  # a malformed action: moto rejects it before changing anything
    current = table.get_item(hash_value, range_value)
    return table, hash_value, range_value, copy.deepcopy(current)


def _restore(table: Any, hash_value: Any, range_value: Any, item: Any) -> None:
    if item is None:
        if table.get_item(hash_value, range_value) is not None:
            table.delete_item(hash_value, range_value)
        return
    if table.range_key_attr:
        table.items[hash_value][range_value] = item
    else:
        table.items[hash_value] = item


def _dynamo(value: dict[str, Any]) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(value)
