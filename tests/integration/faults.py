"""Faults injected at the handler's boundary clients (botocore event hooks), never inside docproc.

Each helper registers a hook on a client the handler itself made (its S3 client, its DynamoDB
client), so every line of the function runs unchanged and only what AWS answers changes:
- `fail` raises a ClientError before the request is sent (the call never happens);
- `throttle` answers with DynamoDB's throttling error, so botocore's own retries run;
- `lost_answer` lets a write take effect but answers 500, as a dropped connection would;
- `crash_after` lets the call succeed, then kills the invocation (`FunctionKilled`), as a timeout
  or an out-of-memory kill would: the handler never returns, nothing after it runs;
- `crash_before` kills the invocation before the call is made;
- `before_call` runs any callback before a call (used to race a second execution environment).
`deliver_until_killed` plays one Lambda invocation that dies mid-batch; `second_environment`
imports the handler afresh, as a second concurrent Lambda execution environment would have it.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from infra.localstack import LocalStack, load_handler
from infra.sam import code_dir, functions, load_sam

Params = dict[str, Any]
When = Callable[[Params], bool]


class FunctionKilled(BaseException):
    """The runtime stopping the function (timeout, out of memory): no handler code catches it.

    A BaseException on purpose: Powertools' batch processor catches Exception per record, and a
    real timeout is not something a record handler gets to catch either.
    """


def always(_: Params) -> bool:
    return True


def key_is(key: str) -> When:
    return lambda params: params.get("Key") == key


def s3_client(stack: LocalStack) -> Any:
    """The S3 client the handler reads and writes objects with."""
    return stack.handler_module.objects().client


def dynamodb_client(stack: LocalStack) -> Any:
    """The DynamoDB client behind the handler's table (transactions, batch calls, get/put)."""
    return stack.handler_module.records().client


@dataclass
class Injected:
    """What a hook did: the params of every call it hit."""

    hits: list[Params] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.hits)


def _service(client: Any) -> str:
    return str(client.meta.service_model.service_name)


def fail(
    client: Any, operation: str, when: When = always, times: int | None = None, code: str = "InternalError"
) -> Injected:
    """Raise a ClientError(code) for matching calls, `times` times (every time when None)."""
    injected = Injected()

    def hook(params: Params, **_: Any) -> None:
        if when(params) and (times is None or len(injected) < times):
            injected.hits.append(params)
            raise ClientError(
                {"Error": {"Code": code, "Message": f"injected {operation} failure"}}, operation
            )

    client.meta.events.register(f"before-parameter-build.{_service(client)}.{operation}", hook)
    return injected


def throttle(client: Any, operation: str, times: int) -> Injected:
    """Answer the first `times` requests with DynamoDB's ProvisionedThroughputExceededException.

    The answer replaces the HTTP response (a before-send hook registered ahead of moto's), so
    botocore parses it as AWS's own and its retry policy decides what happens next. The throttled
    request itself never takes effect, as with DynamoDB.
    """
    injected = Injected()

    def hook(request: Any, **_: Any) -> AWSResponse | None:
        if len(injected) >= times:
            return None  # let moto answer
        injected.hits.append({"url": request.url})
        # botocore sends before-send to every handler (moto's included) and uses the first answer:
        # turn the request into a harmless read, so moto never applies the throttled write.
        request.headers["X-Amz-Target"] = "DynamoDB_20120810.DescribeLimits"
        request.body = b"{}"
        body = json.dumps(
            {
                "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                "message": "injected throttle",
            }
        ).encode()
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.0"}, _Raw(body))

    client.meta.events.register_first(f"before-send.{_service(client)}.{operation}", hook)
    return injected


def lost_answer(client: Any, operation: str, times: int = 1) -> Injected:
    """The request takes effect, but its answer is lost: the client sees a 500 instead.

    moto applies the request (every before-send handler runs) and this hook's answer, registered
    first, is the one botocore reads. The client cannot tell whether the write landed."""
    injected = Injected()

    def hook(request: Any, **_: Any) -> AWSResponse | None:
        if len(injected) >= times:
            return None
        injected.hits.append({"url": request.url})
        body = json.dumps({"__type": "InternalServerError", "message": "injected lost answer"}).encode()
        return AWSResponse(request.url, 500, {"Content-Type": "application/x-amz-json-1.0"}, _Raw(body))

    client.meta.events.register_first(f"before-send.{_service(client)}.{operation}", hook)
    return injected


class _Raw:
    """The urllib3-like raw body botocore reads an AWSResponse's content from."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, *_: Any, **__: Any) -> Any:
        yield self.body


def crash_after(client: Any, operation: str, when: When = always, times: int = 1) -> Injected:
    """Kill the invocation right after a matching call succeeded (its effect is in AWS)."""
    injected = Injected()
    pending: list[Params] = []

    def before(params: Params, **_: Any) -> None:
        pending[:] = [params] if when(params) and len(injected) < times else []

    def after(**_: Any) -> None:
        if pending:
            injected.hits.append(pending.pop())
            raise FunctionKilled(f"killed after {operation}")

    service = _service(client)
    client.meta.events.register(f"before-parameter-build.{service}.{operation}", before)
    client.meta.events.register(f"after-call.{service}.{operation}", after)
    return injected


def crash_before(client: Any, operation: str, when: When = always, times: int = 1) -> Injected:
    """Kill the invocation just before a matching call is sent."""
    injected = Injected()

    def hook(params: Params, **_: Any) -> None:
        if when(params) and len(injected) < times:
            injected.hits.append(params)
            raise FunctionKilled(f"killed before {operation}")

    client.meta.events.register(f"before-parameter-build.{_service(client)}.{operation}", hook)
    return injected


def before_call(client: Any, operation: str, callback: Callable[[Params], None], times: int = 1) -> Injected:
    """Run `callback(params)` before the first `times` calls of `operation` go out."""
    injected = Injected()

    def hook(params: Params, **_: Any) -> None:
        if len(injected) < times:
            injected.hits.append(params)
            callback(params)

    client.meta.events.register(f"before-parameter-build.{_service(client)}.{operation}", hook)
    return injected


def lambda_event(stack: LocalStack, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """SQS messages as the event source mapping hands them to the function."""
    return {"Records": [stack.driver.lambda_record(m) for m in messages]}


def invoke(stack: LocalStack, event: dict[str, Any], handler: Any = None) -> Any:
    """Invoke the handler (or another environment's) with its stdout where the driver sends it,
    so its logs and metric lines land in the stack's function output."""
    with contextlib.redirect_stdout(stack.driver.function_output):
        return (handler or stack.driver.handler)(event, stack.driver.context)


def deliver_until_killed(stack: LocalStack, messages: list[dict[str, Any]]) -> None:
    """One invocation with these messages that must die (FunctionKilled) before it returns.

    As with a real timeout, nothing is deleted from the queue: every message of the batch comes
    back once its visibility timeout passes (made immediate here, as the local driver does).
    """
    try:
        invoke(stack, lambda_event(stack, messages))
    except FunctionKilled:
        pass
    else:
        raise AssertionError("the invocation was expected to be killed, and it returned")
    sqs = stack.client("sqs")
    for m in messages:
        sqs.change_message_visibility(
            QueueUrl=stack.names.queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
        )


def second_environment(stack: LocalStack) -> Callable[[dict[str, Any]], Any]:
    """The handler imported afresh: its own module state and clients, like a second concurrent
    Lambda execution environment. Returns a function that invokes it with an event."""
    props = next(iter(functions(load_sam(stack.template)).values()))
    module, name = load_handler(code_dir(props), str(props["Handler"]))
    handler = getattr(module, name)
    return lambda event: invoke(stack, event, handler)


# -- distinct documents ------------------------------------------------------------------------
# Sentences of ordinary news prose, written for these tests. `article(n)` picks a different
# handful for each n, so two articles share few 4-character shingles and none is a near
# duplicate of another (the table would record it as `duplicate`, not `kept`).
_SENTENCES = (
    "市政府今天召开新闻发布会，介绍今年城市公共交通建设的进展情况。",
    "全市新开通公交线路十二条，地铁三号线二期工程已完成主体结构施工。",
    "气象部门预计，本周后半段将有一次明显降雨过程，请市民注意出行安全。",
    "农业农村局组织专家深入田间地头，指导农户做好秋粮收获和秸秆还田。",
    "第一中学的学生在全省青少年科技创新大赛中获得三项一等奖。",
    "区图书馆延长了周末开放时间，并新增了两千册儿童绘本。",
    "卫生健康委员会提醒，流感高发季节到来，老人和儿童应及时接种疫苗。",
    "港口上半年货物吞吐量同比增长百分之八，集装箱航线增加到六十条。",
    "文化馆举办的民间剪纸展吸引了大批市民前来参观，展期持续一个月。",
    "环保部门对城区十五条河道开展了水质监测，达标率比去年同期提高。",
    "新建的体育公园设有跑道、篮球场和儿童游乐区，将于下月正式开放。",
    "消防救援支队在商业综合体开展应急演练，检验了疏散预案的可行性。",
    "高新区引进的新能源电池项目签约落地，计划总投资四十五亿元。",
    "老旧小区改造工程涉及二十三个小区，加装电梯和外墙保温同步推进。",
    "铁路部门宣布，春运期间将加开夜间临客列车，缓解返乡客流压力。",
    "博物馆新展出一批出土青铜器，其中一件酒器保存完好、纹饰精美。",
    "社区卫生服务中心开设家庭医生签约服务，为慢性病患者提供随访。",
    "市场监管局抽检了两百批次食品，不合格产品已全部下架处理。",
    "大学生创业园今年孵化企业四十余家，带动就业一千二百多人。",
    "水务集团完成了主城区供水管网更新，爆管事故明显减少。",
    "交警部门在学校周边增设了减速带和护栏，上下学时段加派警力。",
    "本地茶叶在国际博览会上获得金奖，订单量比往年翻了一番。",
    "图书出版集团推出了一套面向中学生的科普丛书，共十二册。",
    "湿地公园观测到数百只候鸟在此停歇，志愿者定期开展巡护。",
    "税务部门推出线上办税新功能，企业申报时间平均缩短一半。",
    "乡村振兴示范村修建了文化礼堂，村民的业余生活更加丰富。",
    "医院引进了新型影像设备，检查等候时间从三天缩短到当天。",
    "科技馆暑期推出机器人编程课程，报名人数很快超过了名额。",
    "电力公司在用电高峰前完成了十座变电站的检修和扩容。",
    "法院开展巡回审判进社区活动，现场调解了多起邻里纠纷。",
)


def article(n: int) -> bytes:
    """A keepable news article, different for every n (UTF-8)."""

    rng = random.Random(n)
    picked = rng.sample(_SENTENCES, 6)
    paragraphs = [f"第{n}期通报。{picked[0]}", *picked[1:], f"本期编号为{n * 7919}，统计口径与上期一致。"]
    return "\n\n".join(paragraphs).encode()
