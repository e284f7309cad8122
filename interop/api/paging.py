"""Keyset paging over one or more row sources (one resource type for a search; every type for $everything).

A page is `count` rows (a few more only when one pk makes more rows than that: see `walk`), walked in a fixed
order: source by source, and within a source by pk. A page link carries a position (the source and the pk of
the row at the page's edge) and a direction, signed so a client cannot forge one (an altered link gets a 400,
never someone else's rows: every source is already limited to what the client may read). Each page costs one
query per source it touches, whatever the page holds; nothing counts the rows (no COUNT(*) over big tables), so
a Bundle has no `total`."""

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
        rows, more_before = walk(sources, names.index(at.source), at.pk, count, forward=False)
        return Page(rows, next=edge(rows[-1:], FORWARD), previous=edge(rows[:1], BACKWARD) if more_before else None)
    start = names.index(at.source) if at is not None else 0
    rows, more_after = walk(sources, start, at.pk if at else None, count, forward=True)
    next_page = edge(rows[-1:], FORWARD) if more_after else None
    return Page(rows, next=next_page, previous=edge(rows[:1], BACKWARD) if at else None)


def edge(rows: list[tuple[Source, Any]], direction: str) -> Position | None:
    return Position(rows[0][0].name, rows[0][1].pk, direction) if rows else None


def walk(sources: Sequence[Source], start: int, edge_pk: int | None, count: int, *, forward: bool):
    """Up to `count` rows after (or before) the position, in forward order, and whether more follow (or come
    before) them: one extra row is read to know.

    A source may give several rows for one pk (a patient's pain conditions are rows of the patient). Positions
    are pks, so a page holds a pk's rows all or none: rows of a pk that would straddle the page's end are left
    for the next page; a page whose first pk alone has more than `count` rows holds all of them."""
    found: list[tuple[Source, Any]] = []
    indices = range(start, len(sources)) if forward else range(start, -1, -1)
    for index in indices:
        rows = in_order(sources[index].rows, forward=forward)
        if index == start and edge_pk is not None:
            rows = rows.filter(pk__gt=edge_pk) if forward else rows.filter(pk__lt=edge_pk)
        found += [(sources[index], row) for row in rows[: count + 1 - len(found)]]
        if len(found) > count:
            break
    more = len(found) > count
    page = whole_pks(found, count) if more else found
    if more and not page:
        source, row = found[0]
        page = [(source, same) for same in in_order(source.rows, forward=forward).filter(pk=row.pk)]
    return (page if forward else page[::-1]), more


def whole_pks(found: list[tuple[Source, Any]], count: int) -> list[tuple[Source, Any]]:
    """The first `count` rows without the rows of the pk that continues past them."""

    def key(item):
        return item[0].name, item[1].pk

    page, beyond = found[:count], key(found[count])
    while page and key(page[-1]) == beyond:
        page.pop()
    return page


def in_order(rows: QuerySet, *, forward: bool) -> QuerySet:
    """The source's own order (by pk, then whatever separates rows of one pk), or its reverse."""
    rows = rows if rows.ordered else rows.order_by("pk")
    return rows if forward else rows.reverse()


def page_size(asked: str | None) -> int:
    """_count as asked, at most MAX_COUNT; ValueError for anything but a positive whole number."""
    if asked is None or asked == "":
        return DEFAULT_COUNT
    if not asked.isdigit() or int(asked) < 1:
        raise ValueError("_count must be a whole number of 1 or more")
    return min(int(asked), MAX_COUNT)
