"""Toy event generators for the graph examples (numpy only, seeded).

Both return padded events (see ``graph.pad_events``): ``x[B,N,F]`` float32
with zeros at invalid vertices and ``valid[B,N]`` float32 0/1, plus the truth
needed for object-condensation training. Pure functions of their arguments,
so the example files are reproducible bit for bit.

Occupancy: the number of objects and of noise vertices are drawn per event so
that the number of valid vertices spans 0..N; events with more than N vertices
keep the N most energetic (ECL) / a random N (CDC). Valid vertices are in
random order; in every other event (odd index) they sit in random slots with
holes in between, in the others in slots 0..n-1. ``force_extremes`` makes
event 0 empty and event 1 full.
"""

from typing import Dict

import numpy as np
from math import erf, sqrt

from .graph import pad_events

# ---------------------------------------------------------------------------
# ECL trigger cells: a theta x phi grid of 16 x 36 = 576 trigger cells
# ---------------------------------------------------------------------------

ECL_FEATURES = ("theta", "phi", "energy", "time")   # rad, rad, GeV, units of 100 ns
ECL_PAYLOAD = ("energy", "theta", "phi")            # true photon energy, direction
ECL_N_THETA, ECL_N_PHI = 16, 36
ECL_THETA_MIN, ECL_THETA_MAX = 0.22, 2.71
ECL_THETA_EDGES = np.linspace(ECL_THETA_MIN, ECL_THETA_MAX, ECL_N_THETA + 1)
ECL_PHI_EDGES = np.linspace(-np.pi, np.pi, ECL_N_PHI + 1)
ECL_THETA_CENTRES = 0.5 * (ECL_THETA_EDGES[1:] + ECL_THETA_EDGES[:-1])
ECL_PHI_CENTRES = 0.5 * (ECL_PHI_EDGES[1:] + ECL_PHI_EDGES[:-1])
ECL_THRESHOLD = 0.02        # GeV per trigger cell (toy; the real one is ~0.1)
ECL_SHOWER_SIGMA = (0.07, 0.08)   # rad in theta, phi (cells are 0.156 x 0.175)
ECL_MAX_PHOTONS = 6

_erf = np.vectorize(erf)


def _cell_fractions(edges, mu, sigma):
    """Fraction of a 1-D Gaussian in each bin."""
    c = _erf((edges - mu) / (sigma * sqrt(2.0)))
    return 0.5 * (c[1:] - c[:-1])


def _choose_slots(rng, n, n_vertices, scatter):
    if scatter:
        return np.sort(rng.choice(n_vertices, size=n, replace=False)) if n else np.zeros(0, int)
    return np.arange(n)


def ecl_events(n_events: int, seed: int, n_vertices: int = 64,
               force_extremes: bool = False) -> Dict[str, np.ndarray]:
    """Toy ECL trigger-cell events: 0-6 photons of 0.1-2 GeV plus noise cells.

    Returns dict with ``x[B,N,4]`` (theta, phi, energy, time), ``valid[B,N]``,
    ``obj[B,N]`` int64 (photon index, -1 for noise and invalid vertices),
    ``truth[B,6,3]`` float32 (energy, theta, phi of each photon; zero rows
    after the last), ``n_obj[B]`` int64 (photons with at least one cell they
    dominate)."""
    rng = np.random.default_rng(seed)
    ev, pos, objs = [], [], []
    truth = np.zeros((n_events, ECL_MAX_PHOTONS, 3), np.float32)
    n_obj = np.zeros(n_events, np.int64)
    for b in range(n_events):
        n_ph = int(rng.choice(7, p=[0.04] + [0.16] * 6))
        noise_max = rng.uniform(0, 45)
        n_noise = int(rng.integers(0, int(noise_max) + 1))
        if force_extremes and b == 0:
            n_ph, n_noise = 0, 0
        if force_extremes and b == 1:
            n_ph, n_noise = 6, 80
        dep = np.zeros((n_ph + 1, ECL_N_THETA, ECL_N_PHI))   # last row: noise
        tsum = np.zeros((ECL_N_THETA, ECL_N_PHI))
        for p in range(n_ph):
            e = rng.uniform(0.1, 2.0)
            th = rng.uniform(ECL_THETA_MIN + 0.1, ECL_THETA_MAX - 0.1)
            ph = rng.uniform(-np.pi + 0.3, np.pi - 0.3)
            t0 = rng.normal(0.0, 0.02)
            fr = np.outer(_cell_fractions(ECL_THETA_EDGES, th, ECL_SHOWER_SIGMA[0]),
                          _cell_fractions(ECL_PHI_EDGES, ph, ECL_SHOWER_SIGMA[1]))
            d = e * fr * (1.0 + rng.normal(0.0, 0.03, fr.shape))
            dep[p] = np.maximum(d, 0.0)
            tsum += dep[p] * t0
            truth[b, p] = (e, th, ph)
        tnoise = np.zeros((ECL_N_THETA, ECL_N_PHI))
        for _ in range(n_noise):
            i, j = rng.integers(0, ECL_N_THETA), rng.integers(0, ECL_N_PHI)
            e = 0.02 + rng.exponential(0.05)
            dep[n_ph, i, j] += e
            tnoise[i, j] = rng.uniform(-1.0, 1.0)
            tsum[i, j] += e * tnoise[i, j]
        etot = dep.sum(0) + rng.normal(0.0, 0.003, (ECL_N_THETA, ECL_N_PHI))
        cells = np.argwhere(etot > ECL_THRESHOLD)
        if len(cells) > n_vertices:        # keep the most energetic cells
            e_c = etot[cells[:, 0], cells[:, 1]]
            cells = cells[np.argsort(-e_c, kind="stable")[:n_vertices]]
        if force_extremes and b == 1:
            assert len(cells) == n_vertices, "full event not full"
        cells = cells[rng.permutation(len(cells))]
        i, j = cells[:, 0], cells[:, 1]
        e_c = etot[i, j]
        dom = dep[:, i, j].argmax(0)
        o = np.where(dom == n_ph, -1, dom)
        t = tsum[i, j] / np.maximum(dep.sum(0)[i, j], 1e-9) \
            + rng.normal(0.0, 0.01, len(i)) / np.sqrt(np.maximum(e_c, 0.02))
        feat = np.stack([ECL_THETA_CENTRES[i], ECL_PHI_CENTRES[j], e_c, t], 1)
        # photons that dominate no cell are not objects: renumber 0..K-1
        present = sorted(set(o[o >= 0].tolist()))
        remap = {p: k for k, p in enumerate(present)}
        o = np.array([remap.get(v, -1) for v in o.tolist()], np.int64)
        tr = truth[b, present].copy()
        truth[b] = 0
        truth[b, :len(present)] = tr
        n_obj[b] = len(present)
        ev.append(feat)
        pos.append(_choose_slots(rng, len(feat), n_vertices, scatter=(b % 2 == 1)))
        objs.append(o)
    x, valid = pad_events(ev, n_vertices, 4, pos)
    obj = np.full((n_events, n_vertices), -1, np.int64)
    for b in range(n_events):
        obj[b, pos[b]] = objs[b]
    return {"x": x, "valid": valid, "obj": obj, "truth": truth, "n_obj": n_obj}


# ---------------------------------------------------------------------------
# CDC track-segment hits: one hit per superlayer crossed, plus noise hits
# ---------------------------------------------------------------------------

CDC_FEATURES = ("x", "y", "superlayer", "layer", "drift_time", "adc", "stereo")
CDC_PAYLOAD = ("px", "py", "pz", "vx", "vy", "vz", "charge")
CDC_SL_RADII = np.array([0.19, 0.30, 0.41, 0.52, 0.63, 0.74, 0.85, 0.96, 1.07])   # m (toy)
CDC_BFIELD = 1.5            # T
CDC_MAX_TRACKS = 4


def _track_hits(rng, pt, phi0, q, vx, vy):
    """First crossing of each superlayer radius by a circle through (vx, vy)."""
    R = pt / (0.3 * CDC_BFIELD)
    cx, cy = vx + q * R * np.sin(phi0), vy - q * R * np.cos(phi0)
    a0 = np.arctan2(vy - cy, vx - cx)
    s = np.linspace(0.0, min(np.pi * R, 2.5), 3000)          # arc length along the track
    ang = a0 - q * s / R
    px_, py_ = cx + R * np.cos(ang), cy + R * np.sin(ang)
    r = np.hypot(px_, py_)
    hits = []
    for sl, rs in enumerate(CDC_SL_RADII):
        idx = np.nonzero(r >= rs)[0]
        if len(idx) == 0 or rng.uniform() > 0.95:
            continue
        k = idx[0]
        hits.append((px_[k], py_[k], sl))
    return hits


def cdc_events(n_events: int, seed: int, n_vertices: int = 64,
               force_extremes: bool = False) -> Dict[str, np.ndarray]:
    """Toy CDC events: 0-4 charged tracks (pt 0.3-3 GeV, some displaced)
    with one hit per superlayer crossed, plus noise hits; 7 features per hit
    (x, y [m], superlayer/8, layer-in-superlayer/5, drift time [us], adc/100,
    stereo flag). Returns ``x``, ``valid``, ``obj`` and ``truth[B,4,7]``
    (px, py, pz, vx, vy, vz, charge 0/1) like ``ecl_events``."""
    rng = np.random.default_rng(seed)
    ev, pos, objs = [], [], []
    truth = np.zeros((n_events, CDC_MAX_TRACKS, 7), np.float32)
    n_obj = np.zeros(n_events, np.int64)
    for b in range(n_events):
        n_tr = int(rng.choice(5, p=[0.06, 0.30, 0.30, 0.20, 0.14]))
        n_noise = int(rng.integers(0, int(rng.uniform(0, 50)) + 1))
        if force_extremes and b == 0:
            n_tr, n_noise = 0, 0
        if force_extremes and b == 1:
            n_tr, n_noise = 4, 80
        feats, o = [], []
        k = 0
        for t in range(n_tr):
            pt = rng.uniform(0.3, 3.0)
            phi0 = rng.uniform(-np.pi, np.pi)
            q = 1 if rng.uniform() < 0.5 else -1
            disp = rng.uniform() < 0.3
            vx, vy = (rng.normal(0, 0.05, 2) if disp else rng.normal(0, 0.002, 2))
            vz = rng.normal(0, 0.05 if disp else 0.01)
            pz = pt * rng.uniform(-1.0, 1.5)
            hits = _track_hits(rng, pt, phi0, q, vx, vy)
            if not hits:
                continue
            truth[b, k] = (pt * np.cos(phi0), pt * np.sin(phi0), pz, vx, vy, vz, (q + 1) / 2)
            for hx, hy, sl in hits:
                feats.append((hx, hy, sl / 8.0, rng.integers(0, 6) / 5.0,
                              rng.uniform(0.0, 0.5), rng.lognormal(np.log(0.4), 0.3),
                              float(sl % 2)))
                o.append(k)
            k += 1
        for _ in range(n_noise):
            sl = int(rng.integers(0, 9))
            ph = rng.uniform(-np.pi, np.pi)
            rr = CDC_SL_RADII[sl]
            feats.append((rr * np.cos(ph), rr * np.sin(ph), sl / 8.0, rng.integers(0, 6) / 5.0,
                          rng.uniform(0.0, 1.0), rng.lognormal(np.log(0.2), 0.5), float(sl % 2)))
            o.append(-1)
        feats = np.array(feats, np.float64).reshape(-1, 7)
        o = np.array(o, np.int64)
        perm = rng.permutation(len(feats))[:n_vertices]
        feats, o = feats[perm], o[perm]
        if force_extremes and b == 1:
            assert len(feats) == n_vertices, "full event not full"
        present = sorted(set(o[o >= 0].tolist()))
        remap = {p: j for j, p in enumerate(present)}
        o = np.array([remap.get(v, -1) for v in o.tolist()], np.int64)
        tr = truth[b, present].copy()
        truth[b] = 0
        truth[b, :len(present)] = tr
        n_obj[b] = len(present)
        ev.append(feats)
        pos.append(_choose_slots(rng, len(feats), n_vertices, scatter=(b % 2 == 1)))
        objs.append(o)
    x, valid = pad_events(ev, n_vertices, 7, pos)
    obj = np.full((n_events, n_vertices), -1, np.int64)
    for b in range(n_events):
        obj[b, pos[b]] = objs[b]
    return {"x": x, "valid": valid, "obj": obj, "truth": truth, "n_obj": n_obj}
