"""Deterministic generators for your own tests.

>>> from snowid.testing import ManualClock, generator
>>> clock = ManualClock(1_700_000_000_000)
>>> gen = generator(clock, datacenter=1, worker=7)
>>> gen.next()
>>> clock.advance(1)

On a manual clock a generator never waits and never looks at the real time:
the same settings and clock moves give the same IDs in every language
(these are the "runs" of snowid's conformance vectors). A spent sequence
raises ``SequenceExhaustedError``; a clock moved back raises
``ClockMovedBackwardsError``.
"""

from __future__ import annotations

from typing import Any, Dict, Union

from ._native import Generator, Layout, ManualClock

__all__ = ["ManualClock", "generator"]


def generator(
    clock: ManualClock,
    *,
    layout: Union[str, Layout] = "twitter",
    max_borrow_ticks: int = 0,
    **node_fields: int,
) -> Generator:
    """A generator on ``clock`` that fails at once on a clock moved back
    (``on_regression="fail"``), as the conformance vectors' runs do."""
    fields: Dict[str, Any] = dict(node_fields)  # node fields, not other keywords
    return Generator(
        layout=layout,
        clock=clock,
        on_regression="fail",
        max_borrow_ticks=max_borrow_ticks,
        **fields,
    )
