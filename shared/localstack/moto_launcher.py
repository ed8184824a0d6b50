"""Starts moto server for the local stack.

Enables Step Functions execution before the server starts and, on moto versions that
have it, works around moto issue #10077: StartExecution deep-copies the state machine,
which drags along its executions (holding thread locks) and its backend, so a second
execution fails with "cannot pickle '_thread.RLock'". Fixed upstream by PR #10093.
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


def main() -> None:
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    if _needs_workaround(moto.__version__):
        _patch_deepcopy()
    from moto.server import main as server_main

    server_main(sys.argv[1:])


if __name__ == "__main__":
    main()
