"""Hooks: how a lower layer lets higher ones act without importing them.

A lower app declares a hook in its own ``hooks.py``::

    contact_saved = Hook("records.contact_saved")

and calls it where the event happens (``contact_saved.send(actor=..., contact=...)``).
A higher app registers a receiver in its ``AppConfig.ready()``::

    from records.hooks import contact_saved
    contact_saved.connect(repetition_on_contact_saved)

Unlike Django signals, a hook is called synchronously in the caller's transaction,
a receiver's exception propagates (a ``ValidationError`` refuses the save), and
``collect`` gathers the receivers' answers. Receivers run in the order they
were connected (the order of ``INSTALLED_APPS``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    """A named extension point. Receivers are keyword-only callables."""

    def __init__(self, name: str, doc: str = ""):
        self.name = name
        self.__doc__ = doc or name
        self._receivers: list[Callable[..., Any]] = []

    def connect(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Add ``receiver`` once (connecting twice, e.g. after a reload, keeps one). Usable as a decorator."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Callable[..., Any]) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    @property
    def receivers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._receivers)

    def send(self, **kwargs: Any) -> None:
        """Call every receiver with ``kwargs``; an exception stops the call and propagates."""
        for receiver in self._receivers:
            receiver(**kwargs)

    def collect(self, **kwargs: Any) -> list[Any]:
        """Every receiver's answer, ``None`` answers left out."""
        answers = (receiver(**kwargs) for receiver in self._receivers)
        return [answer for answer in answers if answer is not None]

    def first(self, **kwargs: Any) -> Any:
        """The first answer that is not ``None`` (later receivers are not called), else ``None``."""
        for receiver in self._receivers:
            answer = receiver(**kwargs)
            if answer is not None:
                return answer
        return None

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receivers>"
