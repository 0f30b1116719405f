"""A case type's machine laid out as an SVG drawing, from its own transition table: the states in rows by
how far they lie from the first one, each arrow named by its actions, in the page's language, no label
over another or over a state. No Graphviz on the server (it is not a dependency): the layout is small
enough to do here — a dozen states, a few dozen arrows."""

import math
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from typing import Any

FONT = 14  # px, of the arrows' labels; a state's name is 15 px
ROW_GAP = 130
NODE_H = 40
MARGIN = 30
LABEL_PAD = 4


def text_width(text: str, size: float = FONT) -> float:
    """How wide `text` draws: a CJK character is about one em, anything else about 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


@dataclass
class Box:
    x: float  # centre
    y: float
    w: float
    h: float

    @property
    def left(self) -> float:
        return self.x - self.w / 2

    @property
    def top(self) -> float:
        return self.y - self.h / 2

    def overlap(self, other: "Box", gap: float = 2) -> tuple[float, float]:
        """How far the two boxes overlap along x and y (both positive: they overlap)."""
        return (
            (self.w + other.w) / 2 + gap - abs(self.x - other.x),
            (self.h + other.h) / 2 + gap - abs(self.y - other.y),
        )


@dataclass
class Node:
    id: str
    label: str
    box: Box


@dataclass
class Arrow:
    source: str
    target: str
    names: list[str]
    label: str
    path: str = ""
    anchor: tuple[float, float] = (0, 0)  # the point of the curve the label belongs to
    curve: tuple[tuple[float, float], ...] = ()  # the quadratic curve's three points
    box: Box = field(default_factory=lambda: Box(0, 0, 0, 0))


@dataclass
class Chart:
    width: float
    height: float
    nodes: list[Node]
    arrows: list[Arrow]
    notes: list[str] = field(default_factory=list)  # actions open in most states, said once in words


ANY = "__any__"
MANY = 4  # an action from this many states or more is drawn once, from "any state"


def _collapse(
    edges: list[dict[str, Any]], labels: dict[str, str], states: list[tuple[str, str]]
) -> tuple[list[dict[str, Any]], list[str], list[tuple[str, str]]]:
    """An action that leaves many states for one target (close, merge) becomes one arrow from a box "any
    state before it ends"; one that keeps many states as they are (a ruling) becomes a line of words."""
    from django.utils.translation import gettext as _

    loops: dict[str, set[str]] = {}
    into: dict[tuple[str, str], set[str]] = {}
    for e in edges:
        if e["source"] == e["target"]:
            loops.setdefault(e["name"], set()).add(e["source"])
        else:
            into.setdefault((e["name"], e["target"]), set()).add(e["source"])
    kept, notes, any_used = [], [], False
    for name, where in loops.items():
        if len(where) >= MANY - 1:
            notes.append(
                _("In most states: %(action)s (the state stays)") % {"action": labels.get(name, name)}
            )
    for e in edges:
        if e["source"] == e["target"]:
            if len(loops[e["name"]]) < MANY - 1:
                kept.append(e)
        elif len(into[(e["name"], e["target"])]) >= MANY:
            if not any(k["source"] == ANY and k["name"] == e["name"] for k in kept):
                kept.append({"name": e["name"], "source": ANY, "target": e["target"]})
                any_used = True
        else:
            kept.append(e)
    if any_used:
        states = [*states, (ANY, _("Any state before it ends"))]
    return kept, notes, states


def _ranks(states: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Each state's row: its distance from the first state (states nothing reaches go last)."""
    rank = {states[0]: 0}
    queue = deque([states[0]])
    while queue:
        s = queue.popleft()
        for a, b in edges:
            if a == s and b not in rank:
                rank[b] = rank[s] + 1
                queue.append(b)
    last = max(rank.values(), default=0) + 1
    return {s: rank.get(s, last) for s in states}  # `ANY` and what only it reaches: the last row


def layout(states: list[tuple[str, str]], edges: list[dict[str, Any]], labels: dict[str, str]) -> Chart:
    """`states` [(code, label)] in the machine's order, `edges` [{name, source, target}], `labels`
    transition name → label; every label in the reader's language already."""
    edges, notes, states = _collapse(edges, labels, states)
    codes = [code for code, _label in states]
    pairs = [(e["source"], e["target"]) for e in edges if e["source"] in codes and e["target"] in codes]
    rank = _ranks(codes, pairs)
    rows: dict[int, list[tuple[str, str]]] = {}
    for code, label in states:
        rows.setdefault(rank[code], []).append((code, label))
    widths = {code: text_width(label, 15) + 28 for code, label in states}
    width = max(sum(widths[c] for c, _l in row) + 90 * (len(row) + 1) for row in rows.values())
    width = max(width, 1100)
    nodes: dict[str, Node] = {}
    for r, row in sorted(rows.items()):
        used = sum(widths[c] for c, _l in row)
        gap = (width - used) / (len(row) + 1)
        x = gap
        for code, label in row:
            nodes[code] = Node(
                code, label, Box(x + widths[code] / 2, MARGIN + 20 + r * ROW_GAP, widths[code], NODE_H)
            )
            x += widths[code] + gap
    arrows = _arrows(edges, labels, nodes)
    _place(arrows, [n.box for n in nodes.values()])
    height = max(
        max(b.y + b.h / 2 for b in [n.box for n in nodes.values()] + [a.box for a in arrows]) + MARGIN, 300
    )
    left = min(min(b.x - b.w / 2 for b in [a.box for a in arrows] + [n.box for n in nodes.values()]), MARGIN)
    if left < MARGIN:  # a label pushed off the left edge: move everything right
        shift = MARGIN - left
        for n in nodes.values():
            n.box.x += shift
        for a in arrows:
            a.box.x += shift
        arrows = _arrows(edges, labels, nodes, keep=arrows)
        width += shift
    width = max(
        width, max(b.x + b.w / 2 for b in [a.box for a in arrows] + [n.box for n in nodes.values()]) + MARGIN
    )
    return Chart(round(width), round(height), list(nodes.values()), arrows, notes)


def _arrows(
    edges: list[dict[str, Any]],
    labels: dict[str, str],
    nodes: dict[str, Node],
    keep: list[Arrow] | None = None,
) -> list[Arrow]:
    grouped: dict[tuple[str, str], list[str]] = {}
    for e in edges:
        if e["source"] in nodes and e["target"] in nodes:
            grouped.setdefault((e["source"], e["target"]), []).append(e["name"])
    arrows = []
    for i, ((a, b), names) in enumerate(grouped.items()):
        label = " / ".join(dict.fromkeys(labels.get(n, n) for n in names))
        arrow = Arrow(a, b, names, label)
        between = any(
            n.box.y == nodes[a].box.y
            and min(nodes[a].box.x, nodes[b].box.x) < n.box.x < max(nodes[a].box.x, nodes[b].box.x)
            for n in nodes.values()
        )  # a state in the way on the same row: the arrow goes round it
        _route(arrow, nodes[a].box, nodes[b].box, both_ways=(b, a) in grouped, round_=between)
        if keep is not None:  # the labels stay where the separation put them
            arrow.box = keep[i].box
        arrows.append(arrow)
    return arrows


def _route(arrow: Arrow, s: Box, t: Box, *, both_ways: bool, round_: bool = False) -> None:
    w, h = text_width(arrow.label) + 2 * LABEL_PAD, FONT + 2 * LABEL_PAD
    if arrow.source == arrow.target:  # a loop on the right of the state
        x0, y0 = s.x + s.w / 2, s.y
        arrow.path = f"M{x0:.1f},{y0 - 8:.1f} C{x0 + 60:.1f},{y0 - 40:.1f} {x0 + 60:.1f},{y0 + 40:.1f} {x0:.1f},{y0 + 8:.1f}"
        arrow.anchor = (x0 + 45, y0)
        arrow.box = Box(x0 + 50 + w / 2, y0, w, h)
        return
    (x1, y1), (x2, y2) = _border(s, t.x, t.y), _border(t, s.x, s.y)
    if round_:  # leave and arrive by the top, over the states between
        (x1, y1), (x2, y2) = (s.x, s.top - 3), (t.x, t.top - 3)
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1
    # arrows both ways between two states bow to opposite sides; a long arrow bows a little anyway,
    # so it does not run through the states of the rows between
    bow = (40 if both_ways else 0) + (35 if abs(dy) > ROW_GAP * 1.5 else 0)
    nx, ny = -dy / length, dx / length
    cx, cy = (x1 + x2) / 2 + nx * bow, (y1 + y2) / 2 + ny * bow
    if round_:
        cy = min(y1, y2) - 70
    arrow.path = f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}"
    mx, my = 0.25 * x1 + 0.5 * cx + 0.25 * x2, 0.25 * y1 + 0.5 * cy + 0.25 * y2  # the curve's midpoint
    arrow.anchor = (mx, my)
    arrow.curve = ((x1, y1), (cx, cy), (x2, y2))
    arrow.box = Box(mx, my, w, h)


def _border(b: Box, tx: float, ty: float) -> tuple[float, float]:
    """Where the line from the box's centre towards (tx, ty) leaves the box."""
    dx, dy = tx - b.x, ty - b.y
    if dx == 0 and dy == 0:
        return b.x, b.y
    scale = min(
        (b.w / 2) / abs(dx) if dx else math.inf,
        (b.h / 2 + 3) / abs(dy) if dy else math.inf,
    )
    return b.x + dx * scale, b.y + dy * scale


def _place(arrows: list[Arrow], fixed: list[Box]) -> None:
    """Each label in turn takes the first free spot along its arrow (the middle first, then further out,
    then a little above or below); where none is free, it moves sideways until it is. Nothing placed
    before it moves, so no two labels and no label and state end up over each other."""
    placed = list(fixed)
    for arrow in arrows:
        box = arrow.box
        for x, y in _spots(arrow):
            box.x, box.y = x, y
            if _free(box, placed):
                break
        else:
            box.x, box.y = arrow.box.x, arrow.anchor[1]
            step = 12 if box.x >= _centre(fixed) else -12
            while not _free(box, placed):
                box.x += step
        placed.append(box)


def _spots(arrow: Arrow) -> list[tuple[float, float]]:
    if not arrow.curve:  # a loop: beside it, or above or below
        x, y = arrow.box.x, arrow.box.y
        return [(x, y), (x, y - 24), (x, y + 24)]
    (x1, y1), (cx, cy), (x2, y2) = arrow.curve
    spots = []
    for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.25, 0.75):
        px = (1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t**2 * x2
        py = (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t**2 * y2
        spots += [(px, py), (px, py - 14), (px, py + 14)]
    return spots


def _free(box: Box, placed: list[Box]) -> bool:
    return all(min(box.overlap(other, gap=3)) <= 0 for other in placed)


def _centre(boxes: list[Box]) -> float:
    return sum(b.x for b in boxes) / len(boxes) if boxes else 0


def overlaps(chart: Chart) -> list[tuple[str, str]]:
    """Pairs of labels (or a label and a state) that overlap: none, once laid out."""
    found = []
    boxes = [(a.label, a.box) for a in chart.arrows] + [(n.label, n.box) for n in chart.nodes]
    for i, (la, a) in enumerate(boxes):
        for lb, b in boxes[i + 1 :]:
            ox, oy = a.overlap(b, gap=0)
            if ox > 0 and oy > 0:
                found.append((la, lb))
    return found
