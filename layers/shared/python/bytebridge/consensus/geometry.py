"""Plane geometry for comparing annotations, numpy only (the layer cannot ship shapely or scipy)."""

import math

import numpy as np

# Grid cells per axis when rasterising two polygons over their joint bounding box: IoU within ~0.002 of exact.
RASTER_CELLS = 128


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of axis-aligned boxes given as (n, 4) and (m, 4) arrays of x1, y1, x2, y2."""
    ix = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = ix * iy
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def rotated_corners(cx: float, cy: float, w: float, h: float, angle: float) -> np.ndarray:
    """The four corners (4, 2) of a rectangle turned `angle` degrees counter-clockwise on screen (y down)."""
    t = math.radians(angle)
    c, s = math.cos(t), math.sin(t)
    local = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2
    # Counter-clockwise as seen with y pointing down is clockwise in the maths convention.
    return np.column_stack([cx + local[:, 0] * c + local[:, 1] * s, cy - local[:, 0] * s + local[:, 1] * c])


def signed_area(points: np.ndarray) -> float:
    """Shoelace area, positive when the vertices run counter-clockwise in the maths convention."""
    x, y = points[:, 0], points[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2


def clip_convex(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Sutherland–Hodgman: the part of polygon `subject` inside convex polygon `clip` (both (k, 2))."""
    if signed_area(clip) < 0:
        clip = clip[::-1]
    output = list(subject)
    for a, b in zip(clip, np.roll(clip, -1, axis=0), strict=True):
        edge = b - a
        points, output = output, []
        if not points:
            break
        for i, current in enumerate(points):
            previous = points[i - 1]
            cur_in = edge[0] * (current[1] - a[1]) - edge[1] * (current[0] - a[0]) >= 0
            prev_in = edge[0] * (previous[1] - a[1]) - edge[1] * (previous[0] - a[0]) >= 0
            if cur_in != prev_in:
                output.append(_line_intersection(previous, current, a, b))
            if cur_in:
                output.append(current)
    return np.array(output).reshape(-1, 2)


def _line_intersection(p1: np.ndarray, p2: np.ndarray, q1: np.ndarray, q2: np.ndarray) -> np.ndarray:
    """Where segment p1-p2 crosses the infinite line through q1, q2 (the caller knows it does)."""
    d, e = p2 - p1, q2 - q1
    t = (e[0] * (q1[1] - p1[1]) - e[1] * (q1[0] - p1[0])) / (e[0] * d[1] - e[1] * d[0])
    return p1 + t * d


def convex_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Exact IoU of two convex polygons."""
    inter = clip_convex(a, b)
    inter_area = abs(signed_area(inter)) if len(inter) >= 3 else 0.0
    union = abs(signed_area(a)) + abs(signed_area(b)) - inter_area
    return inter_area / union if union > 0 else 0.0


def rasterise(polygon: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """(len(ys), len(xs)) cells whose centres (xs ascending, ys) are inside a simple polygon, even-odd rule.

    Scanline: each edge crossing a row flips the cells left of the crossing, so a row costs its crossings
    plus one cumulative sum instead of testing every cell against every edge.
    """
    x1, y1 = polygon[:, 0], polygon[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    straddles = (y1[None, :] > ys[:, None]) != (y2[None, :] > ys[:, None])
    row, edge = np.nonzero(straddles)
    cross_x = x1[edge] + (ys[row] - y1[edge]) * (x2[edge] - x1[edge]) / (y2[edge] - y1[edge])
    # A centre is inside when an odd number of crossings lie to its right.
    flips = np.zeros((len(ys), len(xs) + 1), dtype=np.int32)
    np.add.at(flips, (row, np.searchsorted(xs, cross_x)), 1)
    left_of_centre = np.cumsum(flips, axis=1)[:, : len(xs)]
    right_of_centre = np.bincount(row, minlength=len(ys))[:, None] - left_of_centre
    return right_of_centre % 2 == 1


def polygon_iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two simple polygons, rasterised on a grid over their joint bounding box."""
    lo_a, hi_a, lo_b, hi_b = a.min(axis=0), a.max(axis=0), b.min(axis=0), b.max(axis=0)
    if np.any(np.minimum(hi_a, hi_b) <= np.maximum(lo_a, lo_b)):
        return 0.0
    lo, hi = np.minimum(lo_a, lo_b), np.maximum(hi_a, hi_b)
    steps = (np.arange(RASTER_CELLS) + 0.5) / RASTER_CELLS
    xs, ys = lo[0] + steps * (hi[0] - lo[0]), lo[1] + steps * (hi[1] - lo[1])
    in_a, in_b = rasterise(a, xs, ys), rasterise(b, xs, ys)
    union = np.count_nonzero(in_a | in_b)
    return np.count_nonzero(in_a & in_b) / union if union else 0.0


def resample_polyline(points: np.ndarray, n: int = 32) -> np.ndarray:
    """`n` points evenly spaced along a polyline, so lines drawn with different vertex counts compare fairly."""
    lengths = np.hypot(*np.diff(points, axis=0).T)
    arc = np.concatenate([[0.0], np.cumsum(lengths)])
    if arc[-1] == 0:
        return np.repeat(points[:1], n, axis=0)
    at = np.linspace(0.0, arc[-1], n)
    return np.column_stack([np.interp(at, arc, points[:, 0]), np.interp(at, arc, points[:, 1])])


def point_to_polyline(points: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Distance from each of (n, 2) points to the nearest segment of a polyline (k >= 2 vertices)."""
    a, b = line[:-1], line[1:]
    ab = b - a
    length2 = np.einsum("ij,ij->i", ab, ab)
    ap = points[:, None, :] - a[None, :, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(length2 > 0, np.einsum("nij,ij->ni", ap, ab) / length2, 0.0)
    nearest = a[None] + np.clip(t, 0.0, 1.0)[..., None] * ab[None]
    return np.hypot(*(points[:, None, :] - nearest).transpose(2, 0, 1)).min(axis=1)


def polyline_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Symmetric mean point-to-segment distance between two polylines (direction does not matter)."""
    ra, rb = resample_polyline(a), resample_polyline(b)
    return float((point_to_polyline(ra, b).mean() + point_to_polyline(rb, a).mean()) / 2)


def geometric_median(points: np.ndarray, weights: np.ndarray, iterations: int = 100, eps: float = 1e-7) -> np.ndarray:
    """Weighted geometric median (Weiszfeld): a centre one stray point cannot drag far."""
    centre = weights @ points / weights.sum()
    for _ in range(iterations):
        distance = np.hypot(*(points - centre).T)
        if np.any(distance < eps):
            # Sitting on a data point: Weiszfeld's step is undefined there, and that point is a fine answer.
            return points[np.argmin(distance)]
        inverse = weights / distance
        moved = inverse @ points / inverse.sum()
        if np.hypot(*(moved - centre)) < eps:
            return moved
        centre = moved
    return centre
