"""Makes the TorchScript encoder fixture used by tests/Mucmm.Tests/Deep/TorchScriptEncoderTests.cs.

Run once with Debian's python3-torch (1.13): /usr/bin/python3 make_encoder.py
Writes encoder.pt (a scripted 6 -> 5 -> 3 MLP with tanh, float32) and expected.csv: the outputs
Python computes for the fixed input x[i, j] = (i * 6 + j) / 10 - 1 (4 x 6), one row per sample.
"""
import torch

torch.manual_seed(0)


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(6, 5)
        self.fc2 = torch.nn.Linear(5, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.tanh(self.fc1(x)))


module = torch.jit.script(Encoder())
module.save("encoder.pt")
x = (torch.arange(24, dtype=torch.float32).reshape(4, 6)) / 10 - 1
with torch.no_grad():
    y = module(x)
with open("expected.csv", "w") as f:
    f.write("f0,f1,f2\n")
    for row in y.tolist():
        f.write(",".join(repr(v) for v in row) + "\n")
print(y)
