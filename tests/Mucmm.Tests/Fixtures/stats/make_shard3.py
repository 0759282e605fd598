#!/usr/bin/python3
"""Writes shard3/view1.npy (300 x 6) and shard3/view2.npy (300 x 4), float64, with NumPy: a 3-dim shared
latent plus noise (seed 16). The third shard of StatsCommandTests; its stats.npz comes from run_doc_numpy.py."""
import os
import numpy as np

rng = np.random.default_rng(16)
z = rng.standard_normal((300, 3))
os.makedirs("shard3", exist_ok=True)
np.save("shard3/view1.npy", z @ rng.standard_normal((3, 6)) + 0.7 * rng.standard_normal((300, 6)) + 1.5)
np.save("shard3/view2.npy", z @ rng.standard_normal((3, 4)) + 0.9 * rng.standard_normal((300, 4)) - 2.0)
