"""Keyset paging over one or more row sources (one resource type for a search; every type for $everything).

A page is at most `count` rows, walked in a fixed order: source by source, and within a source by pk. A page
link carries a position (the source and the pk of the row at the page's edge) and a direction, signed so a
client cannot forge one (an altered link gets a 400, never someone else's rows: every source is already limited
to what the client may read). Each page costs one query per source it touches, whatever the page holds; nothing
counts the rows (no COUNT(*) over big tables), so a Bundle has no `total`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import QuerySet

DEFAULT_COUNT = 50
MAX_COUNT = 200  # the app's own bound on a page, whatever _count asks for
SALT = "interop.api.page"
FORWARD, BACKWARD = "next", "previous"


@dataclass(frozen=True)
class Source:
    name: str  # the resource type
    rows: QuerySet


@dataclass(frozen=True)
class Position:
    source: str
    pk: int
    direction: str  # FORWARD: rows after this one; BACKWARD: rows before it

    def sign(self) -> str:
        return signing.dumps([self.source, self.pk, self.direction], salt=SALT)

    @classmethod
    def unsigned(cls, token: str) -> "Position":
        """The position a page link carries; ValueError for anything this server did not sign."""
        try:
            source, pk, direction = signing.loads(token, salt=SALT)
        except (signing.BadSignature, TypeError, ValueError) as error:
            raise ValueError("not a page link") from error
        if not isinstance(source, str) or not isinstance(pk, int) or direction not in (FORWARD, BACKWARD):
            raise ValueError("not a page link")
        return cls(source, pk, direction)


@dataclass(frozen=True)
class Page:
    rows: list[tuple[Source, Any]]
    next: Position | None
    previous: Position | None


def page_of(sources: Sequence[Source], *, at: Position | None, count: int) -> Page:
    """The page at `at` (the first page for None). ValueError when `at` names a source not in `sources`."""
    names = [source.name for source in sources]
    if at is not None and at.source not in names:
        raise ValueError("not a page link for this search")
    if at is not None and at.direction == BACKWARD:
        rows, more_before = walk_backward(sources, names.index(at.source), at.pk, count)
        return Page(rows, next=edge(rows[-1:], FORWARD), previous=edge(rows[:1], BACKWARD) if more_before else None)
    start = names.index(at.source) if at is not None else 0
    rows, more_after = walk_forward(sources, start, at.pk if at else None, count)
    return Page(
        rows, next=edge(rows[-1:], FORWARD) if more_after else None, previous=edge(rows[:1], BACKWARD) if at else None
    )


def edge(rows: list[tuple[Source, Any]], direction: str) -> Position | None:
    return Position(rows[0][0].name, rows[0][1].pk, direction) if rows else None


def walk_forward(sources: Sequence[Source], start: int, after_pk: int | None, count: int):
    """Up to `count` rows after the position, and whether any row follows them (one extra row is read)."""
    found: list[tuple[Source, Any]] = []
    for index in range(start, len(sources)):
        rows = sources[index].rows
        if index == start and after_pk is not None:
            rows = rows.filter(pk__gt=after_pk)
        found += [(sources[index], row) for row in rows.order_by("pk")[: count + 1 - len(found)]]
        if len(found) > count:
            break
    return found[:count], len(found) > count


def walk_backward(sources: Sequence[Source], start: int, before_pk: int, count: int):
    """Up to `count` rows before the position, in forward order, and whether any row comes before them."""
    found: list[tuple[Source, Any]] = []
    for index in range(start, -1, -1):
        rows = sources[index].rows
        if index == start:
            rows = rows.filter(pk__lt=before_pk)
        found += [(sources[index], row) for row in rows.order_by("-pk")[: count + 1 - len(found)]]
        if len(found) > count:
            break
    return list(reversed(found[:count])), len(found) > count


def page_size(asked: str | None) -> int:
    """_count as asked, at most MAX_COUNT; ValueError for anything but a positive whole number."""
    if asked is None or asked == "":
        return DEFAULT_COUNT
    if not asked.isdigit() or int(asked) < 1:
        raise ValueError("_count must be a whole number of 1 or more")
    return min(int(asked), MAX_COUNT)
