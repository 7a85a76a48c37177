"""`docproc local serve`: the stack behind a real HTTP endpoint, drained continuously."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import boto3

from infra.cmd_local import drain_forever
from infra.localstack import LocalStack


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(probe: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    return None


def test_an_upload_through_the_endpoint_is_processed_while_serving() -> None:
    stop = threading.Event()
    with LocalStack(port=_free_port()) as stack:
        worker = threading.Thread(target=drain_forever, args=(stack, stop, 0.2), daemon=True)
        worker.start()
        try:
            # What a user's own client does: plain boto3 pointed at the printed endpoint.
            s3 = boto3.client("s3", endpoint_url=stack.endpoint_url, region_name=stack.region)
            ddb = boto3.client("dynamodb", endpoint_url=stack.endpoint_url, region_name=stack.region)
            s3.put_object(
                Bucket=stack.names.raw_bucket, Key="incoming/served.txt", Body="服务模式的文章。".encode()
            )

            def record() -> Any:
                key = {"pk": {"S": "DOC#incoming/served.txt"}, "sk": {"S": "DOC"}}
                return ddb.get_item(TableName=stack.names.table, Key=key).get("Item")

            item = _wait_for(record)
        finally:
            stop.set()
            worker.join(timeout=10)
    assert item is not None, "no record appeared while serving"
    assert item["source_key"]["S"] == "incoming/served.txt"
    assert item["status"]["S"] in {"kept", "dropped", "rejected"}
