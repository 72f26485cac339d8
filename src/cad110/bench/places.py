"""`cad110 bench places`: the address library at a city's scale — 500,000 generated addresses
imported through the real importer, the index built, and the top hit timed for what call-takers
type (Chinese fragments, a spoken address, pinyin, initials, typos, another word order), with
and without the call's location."""

from __future__ import annotations

import gc
import random
import statistics
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter, thread_time
from typing import Any

import numpy as np
import shapely
from rich.console import Console
from rich.table import Table
from shapely.geometry import shape

from cad110.auth.principal import Principal
from cad110.bench.city import demo_city, p99
from cad110.db.engine import transaction
from cad110.jurisdictions.cityplan import fuzhou_plan
from cad110.models.user import Role
from cad110.places import index as place_index
from cad110.places import repository
from cad110.places.importer import import_rows
from cad110.places.parse import pinyin_keys

PASSWORD = "bench-places-password"  # noqa: S105
WORDS = [
    "五一",
    "八一七",
    "湖滨",
    "杨桥",
    "工业",
    "华林",
    "福飞",
    "铜盘",
    "六一",
    "西洪",
    "乌山",
    "温泉",
    "北环",
    "江滨",
    "白马",
    "茶亭",
    "连江",
    "福马",
    "鼓屏",
    "屏西",
    "湖东",
    "东浦",
    "梅峰",
    "洪山",
    "金山",
    "建新",
    "盘屿",
    "首山",
    "浦上",
    "则徐",
    "学府",
    "闽江",
    "金榕",
    "化工",
    "新店",
    "岳峰",
    "鹤林",
    "象园",
    "琯后",
    "樟林",
    "宦溪",
    "龙腰",
    "三坊",
    "南门",
    "通湖",
    "达道",
    "义洲",
    "排尾",
    "上渡",
    "城门",
    "螺洲",
    "盖山",
    "红星",
    "万宝",
    "仓前",
    "融侨",
    "福新",
    "长乐",
    "营前",
    "琅岐",
]
DIRECTIONS = ("", "东", "西", "南", "北", "中")
ROAD_ENDS = ("路", "路", "路", "街", "大道", "巷")
POI_KINDS = (
    ("公园", "park"), ("小学", "school"), ("中学", "school"), ("医院", "hospital"),
    ("广场", "mall"), ("花园", "estate"), ("大厦", "building"), ("菜市场", "market"),
    ("幼儿园", "school"), ("派出所", "police"), ("加油站", "fuel"), ("体育馆", "venue"),
    ("宾馆", "hotel"), ("超市", "shop"), ("社区卫生服务中心", "clinic"), ("桥", "bridge"),
)  # fmt: skip
NOISE = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"
_NUMERALS = "零一二三四五六七八九"


def _spoken(n: int) -> str:
    """123 → 一百二十三, as a caller says a house number."""
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    text = f"{_NUMERALS[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else _NUMERALS[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    return text + (_NUMERALS[ones] if ones else "")


@dataclass(frozen=True)
class Target:
    code: str
    name: str
    road: str
    number: int | None
    district: str
    lon: float
    lat: float


def generate(count: int, seed: int) -> tuple[list[dict[str, str]], list[Target]]:
    """`count` places in the import format: houses along generated roads inside the city's
    grids (a road stays in its grid), and one in twenty a point of interest with a name."""
    rng = random.Random(seed)
    grids = []
    for d in fuzhou_plan().districts:
        for s in d.stations:
            for g in s.grids:
                area = shape(g.boundary)
                grids.append((d.area_name_zh, area, area.bounds))
    rows: list[dict[str, str]] = []
    targets: list[Target] = []
    made = 0
    road_no = 0
    while made < count:
        district, area, (w, s_, e, n) = grids[road_no % len(grids)]
        road_no += 1
        road = rng.choice(WORDS) + rng.choice(DIRECTIONS) + rng.choice(ROAD_ENDS)
        houses = min(count - made, rng.randint(100, 400))
        xs = rng.uniform(w, e) + np.arange(houses) * rng.uniform(-1, 1) * 0.0002
        ys = rng.uniform(s_, n) + np.arange(houses) * rng.uniform(-1, 1) * 0.0002
        inside = shapely.contains_xy(area, xs, ys)
        if not inside.any():
            continue
        fallback = (float(xs[inside][0]), float(ys[inside][0]))
        community = rng.choice(WORDS) + "社区"
        for k in range(houses):
            lon, lat = (float(xs[k]), float(ys[k])) if inside[k] else fallback
            code = f"B{made:07d}"
            number = 2 * k + 1 + (k % 2)
            if rng.random() < 0.05:
                word, kind = rng.choice(POI_KINDS)
                name = rng.choice(WORDS) + rng.choice(WORDS) + word
                row = {"kind": "poi", "name": name, "poi_type": kind, "aliases": ""}
                targets.append(Target(code, name, road, None, district, lon, lat))
            else:
                name = f"{road}{number}号"
                row = {"kind": "address", "name": name, "house_number": f"{number}号"}
                if rng.random() < 0.01:
                    targets.append(Target(code, name, road, number, district, lon, lat))
            rows.append(
                {
                    **row,
                    "code": code,
                    "full_text": f"福州市{district}{community}{road}{number}号"
                    if row["kind"] == "address"
                    else f"福州市{district}{road}{name}",
                    "district": district,
                    "community": community,
                    "road": road,
                    "lon": f"{lon:.6f}",
                    "lat": f"{lat:.6f}",
                }
            )
            made += 1
    return rows, targets


def queries(
    targets: list[Target], count: int, seed: int
) -> list[tuple[str, str, tuple[float, float] | None, str]]:
    """(kind, query, near, wanted code): what a call-taker types for a known place."""
    rng = random.Random(seed)
    pois = [t for t in targets if t.number is None]
    houses = [t for t in targets if t.number is not None]
    out = []
    for n in range(count):
        near_it = n % 2 == 0
        kind = (
            "fragment",
            "address",
            "spoken",
            "pinyin",
            "initials",
            "typo",
            "word order",
        )[n % 7]
        t = rng.choice(houses if kind in {"address", "spoken"} else pois)
        if kind == "fragment":
            start = rng.randint(0, max(0, len(t.name) - 4))
            q = t.name[start : start + rng.randint(3, 4)]
        elif kind == "address":
            q = f"{t.road}{t.number}号"
        elif kind == "spoken":
            q = f"{t.district}{t.road}{_spoken(t.number or 0)}号"
        elif kind == "pinyin":
            q = pinyin_keys(t.name).pinyin
        elif kind == "initials":
            q = pinyin_keys(t.name).initials
        elif kind == "typo":
            i = rng.randrange(len(t.name))
            q = t.name[:i] + rng.choice(NOISE) + t.name[i + 1 :]
        else:
            half = len(t.name) // 2
            q = t.name[half:] + t.name[:half]
        near = (t.lon + rng.uniform(-0.003, 0.003), t.lat + rng.uniform(-0.003, 0.003))
        out.append((kind, q, near if near_it else None, t.code))
    return out


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_places_bench(
    console: Console, *, count: int = 500_000, searches: int = 2800, seed: int = 7
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cad110-places-") as tmp:
        _url, rt = demo_city(
            Path(tmp), "places", username="bench-admin", password=PASSWORD, role=Role.ADMIN
        )
        console.print(f"generating {count:,} addresses…")
        rows, targets = generate(count, seed)
        by = Principal.acting_for("350100/", username="bench", role=Role.ADMIN)
        started = perf_counter()
        with transaction(rt.sessions) as session:
            report = import_rows(rt.ctx(session, by), rows, source="bench")
        import_s = perf_counter() - started
        console.print(f"imported {report.added:,} in {import_s:.0f} s")
        del rows
        gc.collect()
        before = _rss_mb()
        with rt.readers() as session:
            built = place_index.build(session)
        after = _rss_mb()
        console.print(
            f"index: {len(built):,} places, {len(built.terms):,} names, {built.build_s:.1f} s"
        )
        build_s = built.build_s
        del built
        gc.collect()
        pauses: list[float] = []
        began: list[float] = []

        def collector(phase: str, info: dict[str, int]) -> None:
            # Full collections walk every live object: the index must not multiply them.
            if info.get("generation") == 2:
                if phase == "start":
                    began.append(perf_counter())
                elif began:
                    pauses.append((perf_counter() - began.pop()) * 1000)

        timings: dict[str, list[float]] = defaultdict(list)
        cpu_ms: dict[str, list[float]] = defaultdict(list)
        right: dict[str, int] = defaultdict(int)
        with rt.readers() as session:
            # The first queries build the index and load the address parser's tables.
            repository.search(session, "福州市鼓楼区西湖")
        gc.callbacks.append(collector)  # after the build: the searches' collections only
        for kind, q, near, wanted in queries(targets, searches, seed):
            begun, cpu = perf_counter(), thread_time()
            with rt.readers() as session:  # a session per search, as per request
                hits = repository.search(session, q, near=near, limit=10)
                found = hits[0].place.code if hits else None
            ms = (perf_counter() - begun) * 1000
            label = f"{kind}, {'near the call' if near else 'no location'}"
            timings[label].append(ms)
            timings["all"].append(ms)
            # The thread's own CPU time: what the search costs, whatever else the machine
            # is doing (wall time includes waiting for a core on a busy machine).
            cpu_ms[label].append((thread_time() - cpu) * 1000)
            cpu_ms["all"].append((thread_time() - cpu) * 1000)
            if found == wanted:
                right[label] += 1
                right["all"] += 1
        nearest_ms = []
        rng = random.Random(seed)
        for _ in range(500):
            t = rng.choice(targets)
            begun = perf_counter()
            with rt.readers() as session:
                repository.nearest(session, t.lon + 0.0005, t.lat + 0.0005)
            nearest_ms.append((perf_counter() - begun) * 1000)
        gc.callbacks.remove(collector)
        rt.engine.dispose()
    table = Table(title=f"Address search over {report.added:,} places (SQLite, one thread)")
    table.add_column("query")
    table.add_column("n", justify="right")
    table.add_column("p50 ms", justify="right")
    table.add_column("p99 ms", justify="right")
    table.add_column("CPU p50 / p99 ms", justify="right")
    table.add_column("top hit right", justify="right")
    figures: dict[str, Any] = {"import_s": import_s, "build_s": build_s, "index_mb": after - before}
    for label in sorted(timings, key=lambda k: (k == "all", k)):
        spread, spent = sorted(timings[label]), sorted(cpu_ms[label])
        figures[label] = (statistics.median(spread), p99(spread), right[label] / len(spread))
        table.add_row(
            label,
            str(len(spread)),
            f"{statistics.median(spread):.1f}",
            f"{p99(spread):.1f}",
            f"{statistics.median(spent):.1f} / {p99(spent):.1f}",
            f"{100 * right[label] / len(spread):.0f} %",
        )
    nearest_ms.sort()
    table.add_row(
        "nearest address (KD-tree)",
        str(len(nearest_ms)),
        f"{statistics.median(nearest_ms):.2f}",
        f"{p99(nearest_ms):.2f}",
        "",
        "",
    )
    console.print(table)
    console.print(
        f"import {count:,} rows: {import_s:.0f} s ({count / import_s:,.0f} rows/s); "
        f"index build {figures['build_s']:.1f} s, about {after - before:.0f} MB; "
        f"{len(pauses)} full garbage collections while searching, longest "
        f"{max(pauses, default=0.0):.0f} ms"
    )
    return figures
