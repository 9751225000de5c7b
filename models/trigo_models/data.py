"""Synthetic, physics-flavoured data sets for the example models (numpy only).

Both generators are pure functions of ``(n, seed)`` so that the example files
are reproducible bit for bit.
"""

import numpy as np

# --------------------------------------------------------------------------
# Jet tagging: 16 features, 5 classes (g, q, W, Z, t) as in the hls4ml
# jet-tagging data set. The returned features are standardised with fixed
# constants (see JET_FEATURE_MEAN/STD) just like the hls4ml inputs are.
# --------------------------------------------------------------------------

JET_CLASSES = ("g", "q", "W", "Z", "t")
JET_FEATURES = (
    "mass",            # 0  jet mass [GeV]: log-normal for g/q, peaks for W/Z/t
    "multiplicity",    # 1  constituent multiplicity (Poisson)
    "pt_lead",         # 2  leading-constituent pT [GeV] (log-normal "energy")
    "e_jet",           # 3  jet energy [GeV] (log-normal "energy")
    "e_em",            # 4  EM-calorimeter energy [GeV] (log-normal "energy")
    "e_had",           # 5  hadronic-calorimeter energy [GeV] (log-normal)
    "tau21",           # 6..15: substructure-like shape variables (Gaussian)
    "tau32",
    "d2",
    "c2",
    "zlogz",
    "width",
    "ecf1",
    "ecf2",
    "ecf3",
    "charge",
)

#                     g      q      W      Z      t
_MASS_KIND = ("lognorm", "lognorm", "gauss", "gauss", "gauss")
_MASS_A = (25.0, 15.0, 80.4, 91.2, 172.5)   # median (lognorm) or mean (gauss)
_MASS_B = (0.70, 0.70, 12.0, 13.0, 25.0)    # log-sigma (lognorm) or sigma
_MULT = (42.0, 24.0, 30.0, 32.0, 50.0)
# log-normal "energies": log-median and log-sigma per class, features 2..5
_E_LOGMED = np.log(np.array([
    [60.0, 700.0, 250.0, 450.0],
    [110.0, 700.0, 300.0, 400.0],
    [90.0, 750.0, 320.0, 430.0],
    [95.0, 760.0, 330.0, 430.0],
    [70.0, 800.0, 300.0, 500.0],
]))
_E_LOGSIG = np.array([
    [0.45, 0.20, 0.40, 0.35],
    [0.45, 0.20, 0.35, 0.40],
    [0.40, 0.15, 0.35, 0.35],
    [0.40, 0.15, 0.35, 0.35],
    [0.40, 0.15, 0.35, 0.30],
])
# Gaussian shape variables, features 6..15: fixed pseudo-random class means
# and widths (drawn once from a fixed generator, so they are constants).
_g = np.random.default_rng(20240607)
_SHAPE_MEAN = _g.normal(0.0, 0.20, size=(5, 10))
_SHAPE_SIG = _g.uniform(0.7, 1.4, size=(5, 10))
del _g


def _jet_raw(n: int, rng: np.random.Generator):
    labels = rng.integers(0, 5, size=n).astype(np.int64)
    x = np.empty((n, 16), dtype=np.float64)
    for c in range(5):
        idx = np.flatnonzero(labels == c)
        m = len(idx)
        if _MASS_KIND[c] == "lognorm":
            mass = np.exp(rng.normal(np.log(_MASS_A[c]), _MASS_B[c], m))
        else:
            mass = np.abs(rng.normal(_MASS_A[c], _MASS_B[c], m))
        x[idx, 0] = mass
        x[idx, 1] = rng.poisson(_MULT[c], m)
        x[idx, 2:6] = np.exp(rng.normal(_E_LOGMED[c], _E_LOGSIG[c], (m, 4)))
        x[idx, 6:16] = rng.normal(_SHAPE_MEAN[c], _SHAPE_SIG[c], (m, 10))
    return x, labels


def _jet_standardisation():
    x, _ = _jet_raw(200_000, np.random.default_rng(7))
    return x.mean(axis=0), x.std(axis=0)


JET_FEATURE_MEAN, JET_FEATURE_STD = _jet_standardisation()


def jet_events(n: int, seed: int):
    """Return (x [n,16] float32 standardised features, labels [n] int64)."""
    x, labels = _jet_raw(n, np.random.default_rng(seed))
    x = (x - JET_FEATURE_MEAN) / JET_FEATURE_STD
    return x.astype(np.float32), labels


# --------------------------------------------------------------------------
# Calorimeter showers: 8x8 crystal images of a 2-D Gaussian shower blob.
# Class = shower width (0 narrow / EM-like, 1 medium, 2 wide / hadronic).
# Pixel values are deposited energies in GeV (plus electronic noise).
# --------------------------------------------------------------------------

SHOWER_CLASSES = ("narrow", "medium", "wide")
_WIDTH_RANGE = ((0.45, 0.80), (0.75, 1.20), (1.15, 1.90))  # crystal units
_CRYSTAL_NOISE = 0.01  # GeV


def shower_images(n: int, seed: int):
    """Return (x [n,1,8,8] float32 NCHW images, labels [n] int64)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=n).astype(np.int64)
    lo = np.array([r[0] for r in _WIDTH_RANGE])[labels]
    hi = np.array([r[1] for r in _WIDTH_RANGE])[labels]
    sigma = rng.uniform(lo, hi)
    energy = np.exp(rng.normal(np.log(2.0), 0.4, n))          # GeV
    cx = rng.uniform(2.5, 4.5, n)                               # shower centre
    cy = rng.uniform(2.5, 4.5, n)
    centres = np.arange(8) + 0.5                                # crystal centres
    dx = centres[None, None, :] - cx[:, None, None]
    dy = centres[None, :, None] - cy[:, None, None]
    s2 = (sigma ** 2)[:, None, None]
    img = energy[:, None, None] * np.exp(-(dx ** 2 + dy ** 2) / (2 * s2)) / (2 * np.pi * s2)
    img += rng.normal(0.0, _CRYSTAL_NOISE, img.shape)
    return img[:, None, :, :].astype(np.float32), labels
