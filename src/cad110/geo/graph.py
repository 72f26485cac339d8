"""`RoadGraph`: an immutable, numpy-backed directed road network weighted by travel time.

Nodes are junctions (lon/lat degrees). Edges are directed road segments weighted by travel time in
seconds, stored as a scipy CSR matrix ``forward[u, v]`` and its transpose ``backward[v, u]``; a
Dijkstra over ``backward`` from an incident's node gives, in one pass, the time from every node TO
the incident. A KD-tree over unit-sphere points snaps any lon/lat to its nearest node.

Edge times are rounded up to a multiple of 1/1024 s (``TIME_QUANTUM_S``). Sums of such numbers
are exact in float64 (for any path shorter than ~270,000 years), so the time of a path does not
depend on the order in which its edges are added: the fast answer (scipy, from the incident
backwards) and a naive one (networkx, from each unit forwards) agree bit for bit, and equal ETAs
are genuine ties, broken by unit key. The rounding also keeps every weight strictly positive.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]
from scipy.spatial import cKDTree  # type: ignore[import-untyped]

from cad110.geo.distance import haversine_m, to_unit_sphere

TIME_QUANTUM_S = 1.0 / 1024.0
"""Edge travel times are multiples of this (see the module docstring)."""

FORMAT_VERSION = 1

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_A = TypeVar("_A", bound=NDArray[Any])


def quantize_seconds(seconds: ArrayLike) -> FloatArray:
    """Round travel times up to a positive multiple of :data:`TIME_QUANTUM_S`."""
    s = np.asarray(seconds, dtype=np.float64)
    q = np.ceil(s / TIME_QUANTUM_S - 1e-9) * TIME_QUANTUM_S
    return np.asarray(np.maximum(q, TIME_QUANTUM_S), dtype=np.float64)


def travel_seconds(length_m: ArrayLike, speed_kmh: ArrayLike) -> FloatArray:
    """Quantized travel time of segments of `length_m` metres at `speed_kmh`."""
    length = np.asarray(length_m, dtype=np.float64)
    speed = np.asarray(speed_kmh, dtype=np.float64)
    if np.any(~np.isfinite(length)) or np.any(length < 0):
        raise ValueError("edge lengths must be finite and non-negative")
    if np.any(~np.isfinite(speed)) or np.any(speed <= 0):
        raise ValueError("edge speeds must be finite and positive")
    return quantize_seconds(length / (speed / 3.6))


class RoadGraph:
    """A directed road graph. Build with :meth:`from_edges` or :meth:`load`; never mutated."""

    def __init__(
        self,
        *,
        lon: FloatArray,
        lat: FloatArray,
        node_ids: IntArray,
        forward: Any,
        backward: Any,
        edge_length_m: FloatArray,
        edge_class: NDArray[np.int16],
        class_names: Sequence[str],
    ) -> None:
        """Low-level constructor over already consistent arrays; prefer :meth:`from_edges`."""
        n = lon.shape[0]
        if lat.shape != (n,) or node_ids.shape != (n,):
            raise ValueError("lon, lat and node_ids must have one entry per node")
        if forward.shape != (n, n) or backward.shape != (n, n):
            raise ValueError("edge matrices must be n × n")
        if edge_length_m.shape != (forward.nnz,) or edge_class.shape != (forward.nnz,):
            raise ValueError("edge attributes must align with the forward CSR data")
        self._lon = _readonly(lon)
        self._lat = _readonly(lat)
        self._node_ids = _readonly(node_ids)
        self._forward = forward
        self._backward = backward
        for m in (forward, backward):
            for a in (m.data, m.indices, m.indptr):
                a.flags.writeable = False
        self._edge_length = _readonly(edge_length_m)
        self._edge_class = _readonly(edge_class)
        self._class_names = tuple(class_names)

    # ---------------------------------------------------------------- construction

    @classmethod
    def from_edges(
        cls,
        lon: ArrayLike,
        lat: ArrayLike,
        u: ArrayLike,
        v: ArrayLike,
        length_m: ArrayLike,
        speed_kmh: ArrayLike,
        oneway: ArrayLike,
        *,
        road_class: ArrayLike | None = None,
        class_names: Sequence[str] = ("road",),
        node_ids: ArrayLike | None = None,
        keep_largest_scc: bool = True,
    ) -> RoadGraph:
        """Build from node coordinates and an edge list (node indices ``u → v``).

        ``oneway[i]`` false adds the reverse edge ``v → u`` with the same length and speed.
        Self-loops are dropped; of parallel edges the fastest is kept. ``road_class[i]`` indexes
        ``class_names``. With ``keep_largest_scc`` (the default) only the largest strongly
        connected component is kept: a unit or incident snapped onto a one-way dead end or an
        island could then reach nothing (or be reached by nothing), and every ranking from it
        would be empty or wrong. Keeping one component guarantees every node reaches every other.
        """
        lon_a = np.asarray(lon, dtype=np.float64).ravel()
        lat_a = np.asarray(lat, dtype=np.float64).ravel()
        n = lon_a.shape[0]
        if lat_a.shape != (n,):
            raise ValueError("lon and lat must have the same length")
        ids = (
            np.arange(n, dtype=np.int64)
            if node_ids is None
            else np.asarray(node_ids, dtype=np.int64).ravel()
        )
        u_a = np.asarray(u, dtype=np.int64).ravel()
        v_a = np.asarray(v, dtype=np.int64).ravel()
        m = u_a.shape[0]
        length = np.broadcast_to(np.asarray(length_m, dtype=np.float64), (m,))
        speed = np.broadcast_to(np.asarray(speed_kmh, dtype=np.float64), (m,))
        ow = np.broadcast_to(np.asarray(oneway, dtype=bool), (m,))
        cls_a = (
            np.zeros(m, dtype=np.int16)
            if road_class is None
            else np.broadcast_to(np.asarray(road_class, dtype=np.int16), (m,))
        )
        if v_a.shape != (m,):
            raise ValueError("u and v must have the same length")
        if m and (min(u_a.min(), v_a.min()) < 0 or max(u_a.max(), v_a.max()) >= n):
            raise ValueError("edge endpoints must be node indices in [0, n)")
        if m and (cls_a.min() < 0 or cls_a.max() >= len(class_names)):
            raise ValueError("road_class must index class_names")
        time = travel_seconds(length, speed)

        two = ~ow
        src = np.concatenate((u_a, v_a[two]))
        dst = np.concatenate((v_a, u_a[two]))
        t = np.concatenate((time, time[two]))
        ln = np.concatenate((length, length[two]))
        c = np.concatenate((cls_a, cls_a[two]))
        keep = src != dst
        src, dst, t, ln, c = src[keep], dst[keep], t[keep], ln[keep], c[keep]

        if keep_largest_scc and n:
            src, dst, t, ln, c, lon_a, lat_a, ids = _largest_scc(
                n, src, dst, t, ln, c, lon_a, lat_a, ids
            )
            n = lon_a.shape[0]
        return cls._assemble(lon_a, lat_a, ids, src, dst, t, ln, c, class_names)

    @classmethod
    def _assemble(
        cls,
        lon: FloatArray,
        lat: FloatArray,
        ids: IntArray,
        src: IntArray,
        dst: IntArray,
        time: FloatArray,
        length: FloatArray,
        road_class: NDArray[np.int16],
        class_names: Sequence[str],
    ) -> RoadGraph:
        n = lon.shape[0]
        # Sort by (src, dst, time) and keep the fastest of parallel edges.
        order = np.lexsort((time, dst, src))
        src, dst, time, length, road_class = (
            src[order],
            dst[order],
            time[order],
            length[order],
            road_class[order],
        )
        first = np.ones(src.shape[0], dtype=bool)
        first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
        src, dst, time, length, road_class = (
            src[first],
            dst[first],
            time[first],
            length[first],
            road_class[first],
        )
        indptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        forward = csr_matrix(
            (time.astype(np.float64), dst.astype(np.int32), indptr), shape=(n, n), copy=False
        )
        backward = _csr32(forward.transpose().tocsr())
        return cls(
            lon=lon,
            lat=lat,
            node_ids=ids,
            forward=forward,
            backward=backward,
            edge_length_m=length.astype(np.float64),
            edge_class=road_class.astype(np.int16),
            class_names=class_names,
        )

    # ---------------------------------------------------------------- accessors

    @property
    def n_nodes(self) -> int:
        return int(self._lon.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self._forward.nnz)

    @property
    def lon(self) -> FloatArray:
        return self._lon

    @property
    def lat(self) -> FloatArray:
        return self._lat

    @property
    def node_ids(self) -> IntArray:
        """External node ids (OSM ids for an import, ``0..n-1`` otherwise)."""
        return self._node_ids

    @property
    def forward(self) -> Any:
        """CSR matrix, ``forward[u, v]`` = seconds to drive the edge ``u → v``."""
        return self._forward

    @property
    def backward(self) -> Any:
        """Transpose of :attr:`forward` (CSR): Dijkstra on it gives times TO the source."""
        return self._backward

    @property
    def class_names(self) -> tuple[str, ...]:
        return self._class_names

    def edges(self) -> tuple[IntArray, IntArray, FloatArray, FloatArray, NDArray[np.int16]]:
        """All directed edges as arrays ``(u, v, time_s, length_m, road_class)``."""
        f = self._forward
        u = np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(f.indptr))
        return (
            u,
            f.indices.astype(np.int64),
            np.asarray(f.data, dtype=np.float64),
            self._edge_length,
            self._edge_class,
        )

    def class_counts(self) -> dict[str, int]:
        """Directed edges per road class."""
        counts = np.bincount(self._edge_class, minlength=len(self._class_names))
        return {name: int(c) for name, c in zip(self._class_names, counts, strict=True)}

    def mean_out_degree(self) -> float:
        return self.n_edges / self.n_nodes if self.n_nodes else 0.0

    def is_strongly_connected(self) -> bool:
        if self.n_nodes == 0:
            return True
        count, _ = connected_components(self._forward, directed=True, connection="strong")
        return int(count) == 1

    # ---------------------------------------------------------------- snapping

    @cached_property
    def _tree(self) -> Any:
        return cKDTree(to_unit_sphere(self._lon, self._lat))

    def snap(self, lon: ArrayLike, lat: ArrayLike) -> tuple[IntArray, FloatArray]:
        """Nearest node to each point: ``(node_indices, distances_m)`` (haversine metres).

        The KD-tree runs over unit-sphere vectors, whose chord distance is monotone in the
        great-circle distance, so the node found is the haversine-nearest one (up to exact ties).
        """
        if self.n_nodes == 0:
            raise ValueError("cannot snap to an empty graph")
        lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        _, idx = self._tree.query(to_unit_sphere(lon_a, lat_a))
        nodes = np.asarray(idx, dtype=np.int64)
        dist = haversine_m(lon_a, lat_a, self._lon[nodes], self._lat[nodes])
        return nodes, np.atleast_1d(dist)

    def snap_one(self, lon: float, lat: float) -> tuple[int, float]:
        nodes, dist = self.snap([lon], [lat])
        return int(nodes[0]), float(dist[0])

    def prepare(self) -> RoadGraph:
        """Build the lazy snapping index now (e.g. at start-up rather than on the first query)."""
        _ = self._tree
        return self

    # ---------------------------------------------------------------- persistence

    def save(self, path: str | Path) -> None:
        """Write one uncompressed ``.npz`` (no pickles); :meth:`load` maps it back quickly."""
        f, b = self._forward, self._backward
        with Path(path).open("wb") as fh:
            np.savez(
                fh,
                format_version=np.array(FORMAT_VERSION),
                lon=self._lon,
                lat=self._lat,
                node_ids=self._node_ids,
                f_indptr=f.indptr,
                f_indices=f.indices,
                f_data=f.data,
                b_indptr=b.indptr,
                b_indices=b.indices,
                b_data=b.data,
                edge_length_m=self._edge_length,
                edge_class=self._edge_class,
                class_names=np.array(self._class_names, dtype=np.str_),
            )

    @classmethod
    def load(cls, path: str | Path) -> RoadGraph:
        """Read a graph written by :meth:`save` (the KD-tree is rebuilt on first snap)."""
        with np.load(Path(path), allow_pickle=False) as z:
            version = int(z["format_version"])
            if version != FORMAT_VERSION:
                raise ValueError(f"unsupported road graph format {version}")
            lon = z["lon"]
            n = lon.shape[0]
            forward = csr_matrix(
                (z["f_data"], z["f_indices"], z["f_indptr"]), shape=(n, n), copy=False
            )
            backward = csr_matrix(
                (z["b_data"], z["b_indices"], z["b_indptr"]), shape=(n, n), copy=False
            )
            return cls(
                lon=lon,
                lat=z["lat"],
                node_ids=z["node_ids"],
                forward=forward,
                backward=backward,
                edge_length_m=z["edge_length_m"],
                edge_class=z["edge_class"],
                class_names=[str(s) for s in z["class_names"]],
            )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RoadGraph):
            return NotImplemented
        f, g = self._forward, other._forward
        return (
            self._class_names == other._class_names
            and np.array_equal(self._lon, other._lon)
            and np.array_equal(self._lat, other._lat)
            and np.array_equal(self._node_ids, other._node_ids)
            and np.array_equal(f.indptr, g.indptr)
            and np.array_equal(f.indices, g.indices)
            and np.array_equal(f.data, g.data)
            and np.array_equal(self._edge_length, other._edge_length)
            and np.array_equal(self._edge_class, other._edge_class)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RoadGraph(nodes={self.n_nodes}, edges={self.n_edges})"


def _readonly(a: _A) -> _A:
    """A read-only view (the caller's array itself stays writable)."""
    view = a.view()
    view.flags.writeable = False
    return view


def _csr32(m: Any) -> Any:
    """Make sure a CSR matrix has int32 indices and float64 data (what csgraph uses uncopied)."""
    m.indices = m.indices.astype(np.int32, copy=False)
    m.indptr = m.indptr.astype(np.int32, copy=False)
    m.data = m.data.astype(np.float64, copy=False)
    return m


def _largest_scc(
    n: int,
    src: IntArray,
    dst: IntArray,
    time: FloatArray,
    length: FloatArray,
    road_class: NDArray[np.int16],
    lon: FloatArray,
    lat: FloatArray,
    ids: IntArray,
) -> tuple[
    IntArray,
    IntArray,
    FloatArray,
    FloatArray,
    NDArray[np.int16],
    FloatArray,
    FloatArray,
    IntArray,
]:
    adjacency = csr_matrix(
        (np.ones(src.shape[0], dtype=np.int8), (src, dst)), shape=(n, n), dtype=np.int8
    )
    _, labels = connected_components(adjacency, directed=True, connection="strong")
    biggest = int(np.argmax(np.bincount(labels)))
    keep_node = labels == biggest
    new_index = np.full(n, -1, dtype=np.int64)
    new_index[keep_node] = np.arange(int(keep_node.sum()), dtype=np.int64)
    keep_edge = keep_node[src] & keep_node[dst]
    return (
        new_index[src[keep_edge]],
        new_index[dst[keep_edge]],
        time[keep_edge],
        length[keep_edge],
        road_class[keep_edge],
        lon[keep_node],
        lat[keep_node],
        ids[keep_node],
    )
