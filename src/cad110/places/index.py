"""The address library in memory: names, pinyin, roads and house numbers, and a KD-tree of points.

Half a million addresses share a few thousand names: roads, communities, towns, and the names
and aliases of points of interest. The index is built over those names (terms), each with its
pinyin and initials and the places it names, so that a query is matched against tens of
thousands of short names, not half a million addresses:

- candidate names come from the characters (Chinese) or letter pairs (pinyin) they share with
  the query, counted with numpy over posting arrays — a typo or a swapped word still shares
  most of them;
- each candidate is scored 0–100 in Python with rapidfuzz (exact, prefix, substring, pinyin,
  initials, typo, word order), and a road with a house number goes straight to that number,
  whether the road is typed in Chinese (五一北路123号) or in pinyin or initials (wybl123);
- places are ranked by score, then by distance from the call when its location is known.

Nearest address: a scipy cKDTree over the points projected to metres around the city
(`geo.distance.equirectangular`, the project's one flat projection).
The index is kept per engine; `ensure` notices writes by any process (see `_stamp`).
"""

from __future__ import annotations

import gc
import threading
import weakref
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import monotonic, perf_counter
from typing import cast

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process
from scipy.spatial import cKDTree  # type: ignore[import-untyped]
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cad110.geo.distance import equirectangular
from cad110.models.place import Place, PlaceKind
from cad110.places.parse import Parsed, chinese_number, is_latin, normalise, parse
from cad110.places.parse import pinyin_keys as keys_of

# How a term names a place: its own name or alias, or a container (road, community, town)
# the place lies on or in — a container match ranks below a place's own name.
OWN, CONTAINER = 0, 1
_CONTAINER_WEIGHT = 0.8
# Terms scored per query fragment, and places taken from one container term.
_CANDIDATES = 300
_PER_TERM = 60
# House numbers below this (a key is road × this + number).
_NUMBERS = 100_000
# A road named with a house number is looked for on the roads scoring within this of the best.
_ROAD_MARGIN = 5.0


# id, kind, name, full_text, district, town, community, road, house_number, aliases, lon, lat
Row = tuple[int, PlaceKind, str, str, str, str, str, str, str, list[str], float, float]


@dataclass(frozen=True)
class Scored:
    row: int  # position in the index
    place_id: int
    score: float


def _letter_pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text}


def _postings(table: dict[str, list[int]]) -> dict[str, NDArray[np.int32]]:
    return {k: np.asarray(v, dtype=np.int32) for k, v in table.items()}


class PlaceIndex:
    """Built once from the active places; read by many threads, never changed after."""

    def __init__(self, rows: Sequence[Row], districts: Sequence[str]) -> None:
        started = perf_counter()
        self.districts = list(districts)
        n = len(rows)
        self.ids = np.empty(n, dtype=np.int64)
        self.lon = np.empty(n)
        self.lat = np.empty(n)
        self.district = np.full(n, -1, dtype=np.int16)
        self.text_len = np.empty(n, dtype=np.int16)
        district_no = {d: i for i, d in enumerate(self.districts)}
        term_no: dict[str, int] = {}
        term_places: list[list[int]] = []
        term_role: list[int] = []
        # (road term, house number) of each house, as one sorted key per house: 五一北路123号
        # is a binary search, and half a million houses are three arrays, not half a million
        # Python objects for the garbage collector to walk on every full collection.
        house_keys: list[int] = []
        house_rows: list[int] = []

        def term(text: str, role: int) -> int:
            key = normalise(text)
            t = term_no.get(key)
            if t is None:
                t = term_no[key] = len(term_places)
                term_places.append([])
                term_role.append(role)
            elif role == OWN:
                term_role[t] = OWN
            return t

        for row, (
            pid,
            kind,
            name,
            full,
            dist,
            town,
            comm,
            road,
            number,
            aliases,
            lon,
            lat,
        ) in enumerate(rows):
            self.ids[row] = pid
            self.lon[row], self.lat[row] = lon, lat
            self.district[row] = district_no.get(str(dist), -1)
            self.text_len[row] = min(len(str(full)), 32_000)
            own = [] if road and name.startswith(road) and number else [name]
            for t in {term(s, OWN) for s in [*own, *(aliases or [])] if s}:
                term_places[t].append(row)
            for container in (road, comm, town):
                if container and container != name:
                    term_places[term(str(container), CONTAINER)].append(row)
            if road and number and kind != PlaceKind.ROAD:
                value = chinese_number(number.rstrip("号"))
                if value is not None:
                    house_keys.append(term(road, CONTAINER) * _NUMBERS + min(value, _NUMBERS - 1))
                    house_rows.append(row)
        order = np.argsort(np.asarray(house_keys, dtype=np.int64), kind="stable")
        self.house_keys = np.asarray(house_keys, dtype=np.int64)[order]
        self.house_rows = np.asarray(house_rows, dtype=np.int32)[order]
        self.terms = list(term_no)
        self.role = np.asarray(term_role, dtype=np.int8)
        # The terms that are roads with numbered houses on them. Not the same as the CONTAINER
        # role: a road is also a place of its own (kind road), whose name makes its term OWN.
        self.numbered_road = np.zeros(len(self.terms), dtype=bool)
        self.numbered_road[np.unique(self.house_keys // _NUMBERS)] = True
        self.term_places = [np.asarray(p, dtype=np.int32) for p in term_places]
        keys = [keys_of(t) for t in self.terms]
        self.pinyin = [k.pinyin for k in keys]
        self.initials = [k.initials for k in keys]
        # Each name's letters sorted: the edit similarity of two sorted strings counts the
        # characters they share in any order (公园西湖 ~ 西湖公园).
        self.sorted_pinyin = ["".join(sorted(p)) for p in self.pinyin]
        self.sorted_terms = ["".join(sorted(t)) for t in self.terms]
        chars: dict[str, list[int]] = defaultdict(list)
        pairs: dict[str, list[int]] = defaultdict(list)
        for t, (text, py) in enumerate(zip(self.terms, self.pinyin, strict=True)):
            for c in set(text):
                chars[c].append(t)
            for p in _letter_pairs(py):
                pairs[p].append(t)
        self.chars, self.pairs = _postings(chars), _postings(pairs)
        self.by_initials = sorted((ini, t) for t, ini in enumerate(self.initials) if ini)
        # Metres on a plane around the city's middle: exact enough within 100 km.
        self.origin = (float(np.mean(self.lon)), float(np.mean(self.lat))) if n else (119.3, 26.0)
        self.x, self.y = equirectangular(self.lon, self.lat, *self.origin)
        self.tree = cKDTree(np.column_stack([self.x, self.y])) if n else None
        self.build_s = perf_counter() - started

    def __len__(self) -> int:
        return len(self.ids)

    # -- nearest ------------------------------------------------------------------------

    def nearest(
        self, lon: float, lat: float, within_m: float, k: int = 1
    ) -> list[tuple[int, float]]:
        """Up to `k` (row, metres) nearest the point, within `within_m`, nearest first."""
        if self.tree is None:
            return []
        x, y = equirectangular(lon, lat, *self.origin)
        dist, rows = self.tree.query([float(x), float(y)], k=k, distance_upper_bound=within_m)
        pairs = zip(np.atleast_1d(rows), np.atleast_1d(dist), strict=True)
        return [(int(r), float(d)) for r, d in pairs if np.isfinite(d)]

    def metres_from(
        self, rows: NDArray[np.int32], near: tuple[float, float]
    ) -> NDArray[np.float64]:
        x, y = equirectangular(near[0], near[1], *self.origin)
        return np.asarray(np.hypot(self.x[rows] - x, self.y[rows] - y))

    # -- matching names -------------------------------------------------------------------

    def _candidates(self, fragment: str) -> NDArray[np.int64]:
        """Terms sharing the most characters (or pinyin letter pairs) with the fragment."""
        latin = is_latin(fragment)
        grams = _letter_pairs(fragment) if latin else set(fragment)
        table = self.pairs if latin else self.chars
        lists = [table[g] for g in grams if g in table]
        found: list[NDArray[np.int64]] = []
        if latin and len(fragment) >= 2:  # initials: wybl → 五一北路
            lo = bisect_left(self.by_initials, (fragment, -1))
            hi = bisect_left(self.by_initials, (fragment + "\x7f", -1))
            found.append(np.asarray([t for _, t in self.by_initials[lo : min(hi, lo + 100)]]))
        if lists:
            counts = np.bincount(np.concatenate(lists), minlength=len(self.terms))
            need = max(1, int(len(grams) * 0.5))
            hits = np.flatnonzero(counts >= need)
            if len(hits) > _CANDIDATES:
                hits = hits[np.argpartition(-counts[hits], _CANDIDATES)[:_CANDIDATES]]
            found.append(hits)
        if not found:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(found).astype(np.int64))

    def _exact_score(self, fragment: str, t: int, fragment_pinyin: str) -> float | None:
        """The score of an exact, prefix or substring match (Chinese, pinyin or initials), or
        None when the fragment only resembles the name."""
        text = self.terms[t]
        if is_latin(fragment):
            py, ini = self.pinyin[t], self.initials[t]
            if fragment in (py, ini, text):
                return 96.0
            if py.startswith(fragment) and len(fragment) >= 2:
                return 86.0 + 8.0 * len(fragment) / len(py)
            if ini.startswith(fragment) and len(fragment) >= 2:
                return 84.0 + 8.0 * len(fragment) / len(ini)
            if len(fragment) >= 3 and fragment in py:
                return 80.0 + 6.0 * len(fragment) / len(py)
            return None
        if fragment == text:
            return 100.0
        if text.startswith(fragment):
            return 92.0 + 6.0 * len(fragment) / len(text)
        if fragment in text:
            return 85.0 + 8.0 * len(fragment) / len(text)
        if len(text) >= 2 and text in fragment:  # the name inside a longer sentence
            return 78.0 + 14.0 * len(text) / len(fragment)
        if fragment_pinyin and fragment_pinyin == self.pinyin[t]:  # 西胡公园: a homophone
            return 88.0
        return None

    def score_terms(self, fragment: str, terms: list[int]) -> NDArray[np.float64]:
        """How well a typed fragment names each of `terms`, 0–100. Resemblance is scored in
        rapidfuzz's C code over the whole list at once: the edit similarity of the text
        (a typo), of its letters sorted (another word order: on sorted strings the longest
        common subsequence is the characters shared), and of the pinyin (a homophone)."""
        if not terms:
            return np.empty(0)
        latin = is_latin(fragment)
        fragment_pinyin = "" if latin else keys_of(fragment).pinyin
        shown = [self.pinyin[t] for t in terms] if latin else [self.terms[t] for t in terms]
        typo = process.cdist([fragment], shown, scorer=fuzz.ratio, workers=1)[0]
        if latin:
            ordered = [self.sorted_pinyin[t] for t in terms]
            order = process.cdist(["".join(sorted(fragment))], ordered, scorer=fuzz.ratio)[0]
            fuzzy = 0.85 * np.maximum(typo, 0.9 * order)
        else:
            sorted_texts = [self.sorted_terms[t] for t in terms]
            order = process.cdist(["".join(sorted(fragment))], sorted_texts, scorer=fuzz.ratio)[0]
            sound = process.cdist(
                [fragment_pinyin], [self.pinyin[t] for t in terms], scorer=fuzz.ratio
            )[0]
            fuzzy = 0.9 * np.maximum(np.maximum(typo, 0.95 * order), 0.9 * sound)
        scores = np.asarray(fuzzy, dtype=np.float64)
        for i, t in enumerate(terms):
            exact = self._exact_score(fragment, t, fragment_pinyin)
            if exact is not None:
                scores[i] = exact
        return scores

    def match_terms(self, fragment: str, *, roads_only: bool = False) -> list[tuple[int, float]]:
        """(term, score) for the terms a fragment may mean, best first, score ≥ 60; with
        `roads_only`, only roads that have numbered houses."""
        if not fragment:
            return []
        candidates = self._candidates(fragment)
        if not is_latin(fragment):  # a homophone typo may share no character, only sounds
            candidates = np.union1d(candidates, self._candidates(keys_of(fragment).pinyin))
        terms = candidates.tolist()
        if roads_only:
            terms = [t for t in terms if self.numbered_road[t]]
        scores = self.score_terms(fragment, terms)
        keep = np.flatnonzero(scores >= 60.0)
        keep = keep[np.argsort(-scores[keep], kind="stable")][:40]
        return [(terms[i], float(scores[i])) for i in keep.tolist()]

    # -- search ---------------------------------------------------------------------------

    def _take(self, t: int, near: tuple[float, float] | None, limit: int) -> NDArray[np.int32]:
        rows = self.term_places[t]
        if len(rows) <= limit:
            return rows
        if near is None:
            return rows[:limit]
        nearest = np.argpartition(self.metres_from(rows, near), limit)[:limit]
        return rows[nearest]

    def search(
        self, query: str, *, near: tuple[float, float] | None = None, limit: int = 10
    ) -> list[Scored]:
        parsed = parse(query, self.districts)
        best: dict[int, float] = {}

        def offer(rows: NDArray[np.int32], score: float) -> None:
            for r in rows.tolist():
                if score > best.get(r, -1.0):
                    best[r] = score

        on_road = False
        if parsed.road is not None and parsed.number is not None:
            on_road = self._road_and_number(parsed, offer)
        # Letters then a number are a road and house only if they name a numbered road:
        # otherwise (xihugongyuan2) what was typed is matched whole as a name, as without one.
        beside_road = parsed.road is not None and (on_road or not is_latin(parsed.road))
        fragment = parsed.rest if beside_road else parsed.as_name
        per_term = max(_PER_TERM, limit * 3)
        for t, s in self.match_terms(fragment):
            weight = 1.0 if self.role[t] == OWN else _CONTAINER_WEIGHT
            if beside_road:
                weight *= 0.9  # what is left beside a road and number: a building or landmark
            offer(self._take(t, near, per_term), s * weight)
        if not best:
            return []
        rows = np.fromiter(best, dtype=np.int32, count=len(best))
        scores = np.fromiter(best.values(), dtype=np.float64, count=len(best))
        if parsed.district is not None and parsed.district in self.districts:
            # A district said is where the caller is: only its places are offered. Elsewhere's
            # best match first would be picked by Enter and send the call across the city.
            inside = self.district[rows] == self.districts.index(parsed.district)
            rows, scores = rows[inside], scores[inside]
            if not len(rows):
                return []
        scores = np.clip(np.round(scores, 1), 0.0, 100.0)
        second = (
            self.metres_from(rows, near) if near is not None else self.text_len[rows].astype(float)
        )
        order = np.lexsort((second, -np.round(scores)))[:limit]
        return [
            Scored(int(rows[i]), int(self.ids[rows[i]]), float(scores[i]))
            for i in order
            if scores[i] > 0
        ]

    def _road_and_number(
        self, parsed: Parsed, offer: Callable[[NDArray[np.int32], float], None]
    ) -> bool:
        """Offer the house at that number on the roads the road's name (Chinese, pinyin or
        initials) may mean, or its nearest numbers as a guess; whether any road was meant."""
        assert parsed.road is not None
        assert parsed.number is not None
        roads = []
        for t, s in self.match_terms(parsed.road, roads_only=True)[:5]:
            lo, hi = np.searchsorted(self.house_keys, [t * _NUMBERS, (t + 1) * _NUMBERS])
            if lo < hi:
                roads.append((t, s, lo, hi))
        # The roads as good a match as the best one: 五一北路 typed in pinyin is not 五四北路
        # (one letter apart), though only 五四北路 has the number asked for.
        best = max((s for _, s, _, _ in roads), default=0.0)
        for t, s, lo, hi in roads:
            if s < best - _ROAD_MARGIN:
                continue
            numbers = self.house_keys[lo:hi] - t * _NUMBERS
            rows = self.house_rows[lo:hi]
            exact = rows[numbers == parsed.number]
            if len(exact):
                offer(exact, s)
                continue
            # No such number on the road: the nearest numbers on it, as a guess to confirm.
            gaps = np.abs(numbers - parsed.number)
            for gap in np.unique(gaps)[:3].tolist():
                offer(rows[gaps == gap], s * 0.8 - min(10.0, gap / 10))
        return bool(roads)


# -- one index per engine, rebuilt when the table changes ------------------------------------

# How often a query asks the database whether places changed (another worker's import or edit).
CHECK_EVERY_S = 1.0
# Above this many places a stale index is rebuilt in the background, the old one serving
# meanwhile (an edit shows in search after the rebuild's few seconds; reads of the place
# itself always come from the database).
BACKGROUND_ABOVE = 50_000

Stamp = tuple[object, object]


@dataclass
class _Entry:
    index: PlaceIndex
    stamp: Stamp
    checked: float
    rebuilding: bool = False


_lock = threading.Lock()
_entries: weakref.WeakKeyDictionary[Engine, _Entry] = weakref.WeakKeyDictionary()


def _stamp(session: Session) -> Stamp:
    """What changes whenever a place is added, edited or retired: the highest id (places are
    never deleted) and the latest `updated_at` (both read from indexes)."""
    # Two subqueries, not one SELECT of both: SQLite answers a lone max() from the index but
    # scans the whole table for two aggregates in one query (60 ms at 500,000 places).
    row = session.execute(
        select(
            select(func.max(Place.id)).scalar_subquery(),
            select(func.max(Place.updated_at)).scalar_subquery(),
        )
    ).one()
    return (row[0], row[1])


def build(session: Session) -> PlaceIndex:
    rows = session.execute(
        select(
            Place.id,
            Place.kind,
            Place.name,
            Place.full_text,
            Place.district,
            Place.town,
            Place.community,
            Place.road,
            Place.house_number,
            Place.aliases,
            Place.lon,
            Place.lat,
        )
        .where(Place.active)
        .order_by(Place.id)
    ).all()
    # The districts as the addresses name them (鼓楼区), not as the police name theirs (鼓楼分局).
    districts = sorted({r.district for r in rows if r.district}, key=lambda d: (-len(d), d))
    return PlaceIndex([cast(Row, tuple(r)) for r in rows], districts)


def _rebuild_later(engine: Engine, entry: _Entry) -> None:
    def work() -> None:
        try:
            with Session(engine) as session:
                stamp = _stamp(session)
                index = build(session)
        except Exception:
            entry.rebuilding = False  # the next query tries again; the old index serves
            raise
        with _lock:
            _entries[engine] = _Entry(index, stamp, monotonic())
        _keep_out_of_collections()

    entry.rebuilding = True
    threading.Thread(target=work, name="places-index", daemon=True).start()


def place_index(session: Session) -> PlaceIndex:
    """The index for the session's engine, built on first use and rebuilt when places change."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    now = monotonic()
    entry = _entries.get(engine)
    if entry is not None and (entry.rebuilding or now - entry.checked < CHECK_EVERY_S):
        return entry.index
    stamp = _stamp(session)
    with _lock:
        entry = _entries.get(engine)
        if entry is not None and entry.stamp == stamp:
            entry.checked = now
            return entry.index
        if entry is not None and not entry.rebuilding and len(entry.index) > BACKGROUND_ABOVE:
            _rebuild_later(engine, entry)
            return entry.index
        index = build(session)
        _entries[engine] = _Entry(index, stamp, now)
        _keep_out_of_collections()
        return index


def _keep_out_of_collections() -> None:
    """Move what is alive now — the index, and the tables loaded to build it (pypinyin's
    phrase dictionary alone is hundreds of thousands of objects) — out of the garbage
    collector's full collections, which otherwise walk all of it: `cad110 bench places` saw
    full collections of up to 0.7 s in the middle of searches. They stay for the process's
    life anyway; an old index is still freed by reference counting when it is replaced."""
    gc.freeze()


def invalidate() -> None:
    """After a write in this process: the next query checks the table at once."""
    with _lock:
        for entry in _entries.values():
            entry.checked = float("-inf")
