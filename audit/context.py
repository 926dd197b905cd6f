"""The current request's id and source address, for audit entries written
deep inside services without passing the request around."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    address: str | None = None


_current = contextvars.ContextVar("mamoru_request_context", default=RequestContext())


def current() -> RequestContext:
    return _current.get()


def set_current(context: RequestContext):
    return _current.set(context)


def reset(token) -> None:
    _current.reset(token)
