"""Putting chosen meetings into slots so that days have few holes.

Sellers are taken one at a time, most meetings first. A seller's meetings go into a run
of consecutive slots of one day (their narrowest window), choosing the run and the order
of partners so that the partners' days gain the fewest idle slots (a slot next to a
partner's meetings of that day, in a hole between them, or on a day they have none adds
none), the earliest such run among equals. A seller for whom no run works has each
meeting placed on its own where it adds the fewest idle slots. What does not fit at all
is handed back. Slot sets are bit masks (bit t = slot t), so a run is tested for all
start slots at once.
"""
from __future__ import annotations

from itertools import permutations

from services.matching.domain.scheduling import Board, Candidate, Meeting

__all__ = ["place_compactly"]

EXACT_ORDERS = 4  # up to this many meetings a seller's run tries every order of partners


def place_compactly(board: Board, chosen: list[Candidate]) -> list[Candidate]:
    """Place ``chosen`` on ``board`` (which may hold locked meetings); returns those that
    found no slot. Required pairs and higher values go first within each seller."""
    by_seller: dict[str, list[Candidate]] = {}
    for candidate in chosen:
        by_seller.setdefault(candidate.seller_id, []).append(candidate)
    days = _Days(board)
    left: list[Candidate] = []
    for seller, mine in sorted(by_seller.items(), key=lambda item: (-len(item[1]), item[0])):
        mine.sort(key=lambda c: (not c.required, -c.value, c.buyer_id))
        mine = [c for c in mine if board.has_room(*c.pair)]
        if not _place_run(board, days, mine):
            left += [c for c in mine if not _place_one(board, days, c)]
    return left


class _Days:
    """Bit masks of each day, and where a meeting adds no idle slot to someone's day."""

    def __init__(self, board: Board):
        self.board = board
        self.masks = [((1 << (last + 1)) - 1) ^ ((1 << first) - 1) for first, last in board.problem.day_ranges()]

    def snug(self, who: str) -> int:
        """Slots where a meeting adds no idle slot to ``who``'s day: any slot of a day
        without meetings, else the holes of the day and the slots just before and after."""
        busy, out = self.board.busy.get(who, 0), 0
        for day in self.masks:
            mine = busy & day
            if not mine:
                out |= day
                continue
            low, high = (mine & -mine), 1 << (mine.bit_length() - 1)
            inside = ((high << 1) - low) & ~mine
            out |= (inside | (low >> 1) | (high << 1)) & day
        return out

    def cost(self, who: str, slot: int) -> int:
        """Idle slots a meeting at ``slot`` adds to ``who``'s day (-1 when it fills a hole)."""
        day = next(d for d in self.masks if d >> slot & 1)
        mine = self.board.busy.get(who, 0) & day
        if not mine:
            return 0
        first, last = (mine & -mine).bit_length() - 1, mine.bit_length() - 1
        if first <= slot <= last:
            return -1
        return (first - slot - 1) if slot < first else (slot - last - 1)


def _runs(free: list[int], orders, day_masks: list[int]) -> list[tuple[int, tuple[int, ...]]]:
    """(start mask, order) for every order whose run fits somewhere inside one day."""
    k, found = len(free), []
    for order in orders:
        starts = -1
        for position, i in enumerate(order):
            starts &= free[i] >> position
        starts &= sum(day & (day >> (k - 1)) for day in day_masks)
        if starts > 0:
            found.append((starts, order))
    return found


def _place_run(board: Board, days: _Days, mine: list[Candidate]) -> bool:
    if not mine:
        return True
    k = len(mine)
    orders = list(permutations(range(k))) if k <= EXACT_ORDERS else [tuple(range(k))]
    free = [board.free_slots(c.seller_id, c.buyer_id, c.interpreters) for c in mine]
    snug = [f & days.snug(c.buyer_id) for c, f in zip(mine, free)]
    runs = _runs(snug, orders, days.masks)
    if runs:
        start, order = min(((starts & -starts).bit_length() - 1, order) for starts, order in runs)
    else:
        runs = _runs(free, orders, days.masks)
        if not runs:
            return False
        start, order = min(
            (sum(days.cost(mine[i].buyer_id, s + p) for p, i in enumerate(order)), s, order)
            for starts, order in runs for s in _bits(starts)
        )[1:]
    for position, i in enumerate(order):
        _put(board, mine[i], start + position)
    return True


def _place_one(board: Board, days: _Days, c: Candidate) -> bool:
    free = board.free_slots(c.seller_id, c.buyer_id, c.interpreters)
    if not free or not board.has_room(*c.pair):
        return False
    both = free & days.snug(c.seller_id) & days.snug(c.buyer_id)
    if both:
        slot = (both & -both).bit_length() - 1
    else:
        slot = min(_bits(free), key=lambda t: (days.cost(c.seller_id, t) + days.cost(c.buyer_id, t), t))
    _put(board, c, slot)
    return True


def _put(board: Board, c: Candidate, slot: int) -> None:
    board.place(Meeting(c.seller_id, c.buyer_id, slot, 0, c.value, c.kind, interpreter=board.pick_interpreter(c.interpreters, slot)))


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out
