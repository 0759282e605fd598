# Builds an image + text pair dataset from the first N rows of `mucmm export-dataset noisy-mnist`:
# view 1 = the rotated digit (N, 28, 28) float32 .npy, view 2 = a caption naming the digit and the tilt.
import ast, struct, sys
N = int(sys.argv[1]) if len(sys.argv) > 1 else 600
src, out = "noisy/view1.npy", "pairs"
import os; os.makedirs(out, exist_ok=True)
with open(src, "rb") as f:
    magic = f.read(6); ver = f.read(2)
    hlen = struct.unpack("<H", f.read(2))[0] if ver[0] == 1 else struct.unpack("<I", f.read(4))[0]
    header = ast.literal_eval(f.read(hlen).decode("latin1"))
    assert header["descr"] == "<f4" and not header["fortran_order"]
    data = f.read(N * 784 * 4)
h = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 28, 28), }" % N
h = h + " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
with open(f"{out}/images.npy", "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode("latin1") + data)
names = "zero one two three four five six seven eight nine".split()
rows = [l.strip().split(",") for l in open("noisy/meta.csv")]
head, rows = rows[0], rows[1:N + 1]
d, r = head.index("digit"), head.index("rotation")
with open(f"{out}/captions.txt", "w") as f:
    for row in rows:
        rot = float(row[r])
        tilt = "tilted left" if rot > 15 else "tilted right" if rot < -15 else "upright"
        f.write(f"a handwritten {names[int(row[d])]}, {tilt}\n")
