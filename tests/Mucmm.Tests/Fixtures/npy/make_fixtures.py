"""Makes the tiny .npy fixtures of tests/Mucmm.Tests/Data/Readers/NpyFileTests.cs with NumPy.

Run from this folder with Debian's python3-numpy (NumPy 1.24.2 made the committed files):
    /usr/bin/python3 make_fixtures.py
Values are exactly representable or simple closed forms (k/3) so the tests can recompute them.
"""
import numpy as np
from numpy.lib import format as fmt

# float32 2x3: k/4 for k = 0..5 (exact in float32)
np.save("f4_2x3.npy", (np.arange(6, dtype="<f4") / 4).reshape(2, 3))
# float64 3x2: (k + 1) / 3 (the nearest double, as C# computes it)
np.save("f8_3x2.npy", ((np.arange(6, dtype="<f8") + 1) / 3).reshape(3, 2))
# 1-D float64 of length 5: -2 .. 2
np.save("f8_1d.npy", np.arange(-2, 3, dtype="<f8"))
# 3-D float32 (2, 2, 3): k - 6
np.save("f4_3d.npy", (np.arange(12, dtype="<f4") - 6).reshape(2, 2, 3))
# Header versions 2.0 and 3.0 of the same 2x3 float64 array k * 1.5
a = (np.arange(6, dtype="<f8") * 1.5).reshape(2, 3)
with open("f8_v2.npy", "wb") as f:
    fmt.write_array(f, a, version=(2, 0))
with open("f8_v3.npy", "wb") as f:
    fmt.write_array(f, a, version=(3, 0))
# Unsupported: int32, big-endian float64, Fortran order
np.save("i4.npy", np.arange(6, dtype="<i4").reshape(2, 3))
np.save("f8_big_endian.npy", np.arange(6, dtype=">f8").reshape(2, 3))
np.save("f8_fortran.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
