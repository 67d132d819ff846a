"""Trouble the fake portal can be asked to make, for the filing bot's reliability tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class Faults:
    # Every imitated page waits this long before it answers.
    slow_seconds: float = 0.0
    # Every page arrives in two parts, its top first and the rest this long after: a busy
    # portal (or a busy machine) shows a page before its form is there.
    stream_pause_seconds: float = 0.0
    # The next N dispute submissions are stored, then answered with a 500: the double-filing trap.
    fail_after_store: int = 0
    # The next form step (Continue, Submit) finds its session expired and goes to sign-in.
    expire_mid_form: bool = False
    # Every Nth signed-in page load finds its session expired and goes to sign-in: sessions
    # that end in the middle of a long run, at the same points whatever the machine's speed.
    expire_every_pages: int = 0
    # The next N page loads get the "requests throttled" page.
    throttle_pages: int = 0
    # The next N sign-ins (e-mail and password sent) get the "requests throttled" page.
    throttle_signin: int = 0
    # 2: the dispute forms' second layout (other ids and order, the same labels).
    layout: int = 1

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a JSON object of changes; unknown names or wrong types are a ValueError."""
        known = {f.name: f for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(known)}")
            current = getattr(self, name)
            if isinstance(current, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
            elif isinstance(current, int):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"{name} must be an integer")
            elif isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number")
            if name == "layout" and value not in (1, 2):
                raise ValueError("layout must be 1 or 2")
            if not isinstance(value, bool) and value < 0:
                raise ValueError(f"{name} must not be negative")
        for name, value in changes.items():
            setattr(self, name, type(getattr(self, name))(value))

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
