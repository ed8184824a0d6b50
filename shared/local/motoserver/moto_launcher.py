"""Starts moto server for the local stack.

Enables Step Functions execution before the server starts and, on moto versions that
have it, works around moto issue #10077: StartExecution deep-copies the state machine,
which drags along its executions (holding thread locks) and its backend, so a second
execution fails with "cannot pickle '_thread.RLock'". Fixed upstream by PR #10093.
It also passes SendTaskFailure's Cause on to the execution, which moto's handler drops,
makes each DynamoDB request atomic, as DynamoDB's are, and keeps only the sent mail in the
model data that /moto-api/data.json serves.
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


def main() -> None:
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    if _needs_workaround(moto.__version__):
        _patch_deepcopy()
    _patch_send_task_failure()
    _serialize_dynamodb()
    _track_only_mail()
    from moto.server import main as server_main

    server_main(sys.argv[1:])


if __name__ == "__main__":
    main()
