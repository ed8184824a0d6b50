"""Starts moto server for the local stack.

Enables Step Functions execution before the server starts and, on moto versions that
have it, works around moto issue #10077: StartExecution deep-copies the state machine,
which drags along its executions (holding thread locks) and its backend, so a second
execution fails with "cannot pickle '_thread.RLock'". Fixed upstream by PR #10093.
It also passes SendTaskFailure's Cause on to the execution, which moto's handler drops,
makes each DynamoDB request atomic, as DynamoDB's are, backs up only the items a
transaction names rather than whole tables, honours a transaction's ClientRequestToken as
DynamoDB does, keeps only the sent mail in the model data
that /moto-api/data.json serves, keeps answers that never change while it runs, and logs no
line per request when nobody reads its output.
"""
import copy
import sys

import moto
from moto.core.config import default_user_config


def _needs_workaround(version: str) -> bool:
    parts = []
    for piece in version.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts) <= (5, 2, 1)


def _patch_deepcopy() -> None:
    from moto.stepfunctions.parser import models as parser_models

    real_deepcopy = copy.deepcopy

    def deepcopy(obj, memo=None):
        executions = getattr(obj, "executions", None)
        backend = getattr(obj, "backend", None)
        if memo is None and isinstance(executions, list):
            memo = {id(executions): []}
            if backend is not None:
                memo[id(backend)] = backend
        return real_deepcopy(obj, memo)

    class _Copy:
        def __getattr__(self, name):
            return getattr(copy, name)

    shim = _Copy()
    shim.deepcopy = deepcopy
    parser_models.copy = shim


def _patch_send_task_failure() -> None:
    """moto's SendTaskFailure handler drops the Cause, which a Catch reads with
    States.StringToJson; pass it through (only where the handler lacks it)."""
    import inspect

    from moto.core.responses import EmptyResult
    from moto.stepfunctions.responses import StepFunctionResponse

    if "cause" in inspect.getsource(StepFunctionResponse.send_task_failure):
        return

    def send_task_failure(self):
        self.stepfunction_backend.send_task_failure(
            self._get_param("taskToken"),
            error=self._get_param("error"),
            cause=self._get_param("cause"),
        )
        return EmptyResult()

    StepFunctionResponse.send_task_failure = send_task_failure


def _serialize_dynamodb() -> None:
    """DynamoDB applies each request atomically; moto's threaded server runs two requests'
    condition checks and writes interleaved, so two conditional updates of one item can
    both succeed. One lock around each DynamoDB request restores the atomicity the
    portal's conditions rely on (racing operations decisions, pending marks)."""
    import threading

    from moto.dynamodb.responses import DynamoHandler

    lock = threading.RLock()
    call_action = DynamoHandler.call_action

    def serialized(self):
        with lock:
            return call_action(self)

    DynamoHandler.call_action = serialized


def _back_up_transaction_items() -> None:
    """moto's TransactWriteItems backs up each table it touches, a deep copy of the whole
    table once per item, to roll back when an item fails: with the sandbox bank's ledger in
    the TPP table, every payment transaction cost tenths of a second. Back up only the
    items the transaction names, and put them back when it fails. Requests are serialized
    (_serialize_dynamodb), so no other request sees the partial writes in between."""
    import threading

    from moto.dynamodb import models

    real_copy = models.copy
    state = threading.local()

    class _Copy:
        def __getattr__(self, name):
            return getattr(real_copy, name)

        def deepcopy(self, obj, memo=None):
            if getattr(state, "active", False) and isinstance(obj, models.Table):
                return obj
            return real_copy.deepcopy(obj, memo)

    models.copy = _Copy()
    real = models.DynamoDBBackend.transact_write_items

    def item_key(backend, op):
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            return None
        if "Item" not in op:
            return op.get("Key")
        attrs, key = op["Item"], {}
        for attr in (table.hash_key_attr, table.range_key_attr):
            if attr is not None:
                if attr not in attrs:
                    return None
                key[attr] = attrs[attr]
        return key

    def transact_write_items(self, transact_items):
        saved = []
        for entry in transact_items[:100]:
            if len(entry) != 1:
                continue
            op = next(iter(entry.values()))
            key = item_key(self, op)
            if key is None:
                continue
            try:
                current = self.get_item(op["TableName"], key)
            except Exception:  # an invalid key fails the transaction itself
                continue
            saved.append((op["TableName"], key, real_copy.deepcopy(current)))
        state.active = True
        try:
            return real(self, transact_items)
        except Exception:
            for table_name, key, item in reversed(saved):
                if item is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, item.to_json()["Attributes"])
            raise
        finally:
            state.active = False

    models.DynamoDBBackend.transact_write_items = transact_write_items


def _idempotent_transactions() -> None:
    """DynamoDB answers a TransactWriteItems repeated with the ClientRequestToken of one
    that succeeded (within ten minutes) with that success, without writing again: that
    makes the SDK's retry of a transaction whose answer was lost safe. moto ignores the
    token, so such a retry ran the transaction twice and failed on its own first writes
    (a certificate "already uploaded", a payment's X-Request-ID "already used")."""
    import collections
    import time

    from moto.dynamodb.responses import DynamoHandler

    real = DynamoHandler.transact_write_items
    window = 600.0
    done = collections.OrderedDict()

    def transact_write_items(self):
        now = time.monotonic()
        while done and now - next(iter(done.values()))[0] > window:
            done.popitem(last=False)
        token = self.body.get("ClientRequestToken")
        if token and token in done:
            return done[token][1]
        answer = real(self)
        if token:
            done[token] = (now, answer)
        return answer

    DynamoHandler.transact_write_items = transact_write_items


def _track_only_mail() -> None:
    """moto keeps every model instance it ever made (every DynamoDB item version, every
    Cognito token, every execution event) for /moto-api/data.json, which then walks them
    all on each read: over a long test run the list grows into the hundreds of thousands,
    memory with it, and each read of the mailbox takes seconds. The local stack reads only
    SES's sent messages from data.json, so only SES's models are kept."""
    from moto.core import common_models

    base = common_models.BaseModel

    def __new__(cls, *args, **kwargs):
        instance = super(base, cls).__new__(cls)
        if cls.__module__.startswith("moto.ses."):
            cls.instances_tracked.append(instance)
        return instance

    base.__new__ = __new__


def _keep_fixed_answers() -> None:
    """moto lists its package directory on every request to find the service a host
    names, and its Step Functions interpreter builds jsonpath_ng's parser tables anew for
    every path it reads: together about a third of a busy moto's time in the portal's
    tests. Neither answer changes while moto runs (a parsed path is never modified), so
    each is worked out once."""
    import functools

    from moto import backends
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    json_path.parse = functools.lru_cache(maxsize=4096)(json_path.parse)
    result_path.parse = functools.lru_cache(maxsize=4096)(result_path.parse)


def _quiet_requests() -> None:
    """With MOTO_REQUEST_LOG=off (its output is discarded), no line per request: writing
    them was a third of moto's time in serving a request."""
    import os

    if os.environ.get("MOTO_REQUEST_LOG") != "off":
        return
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.log_request = lambda self, code="-", size="-": None


def main() -> None:
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    if _needs_workaround(moto.__version__):
        _patch_deepcopy()
    _patch_send_task_failure()
    _serialize_dynamodb()
    _back_up_transaction_items()
    _idempotent_transactions()
    _track_only_mail()
    _keep_fixed_answers()
    _quiet_requests()
    from moto.server import main as server_main

    server_main(sys.argv[1:])


if __name__ == "__main__":
    main()
