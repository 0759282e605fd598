"""Makes the small ONNX fixtures of tests/Mucmm.Tests/Deep/Onnx (run with Debian's /usr/bin/python3:
apt-get install -y python3-torch python3-onnx; torch 1.13, onnx 1.12).

  /usr/bin/python3 make_fixtures.py   # writes the .onnx files beside this script

Exported with torch.onnx.export (dynamic batch axis):
  cnn_opset9.onnx, cnn_opset13.onnx   a small CNN: Conv (stride, groups, dilations), BatchNormalization,
                                      Relu, LeakyRelu, Sigmoid, Tanh, Clip (attribute form at 9, input
                                      form at 13), MaxPool, AveragePool (count_include_pad=0), Flatten, Gemm.
  bert_opset11.onnx, bert_opset17.onnx a BERT-style block on float embeddings x (n, s, 16) and an int64
                                      attention mask (n, s): Shape/Gather/Unsqueeze/Concat/Reshape chains on
                                      the dynamic batch and sequence, Slice of a position buffer, Gather of
                                      embeddings, Equal/Where/Cast/Expand/ConstantOfShape, MatMul, Transpose,
                                      Softmax (opset <13 and >=13 semantics), Erf GELU, LayerNormalization
                                      (17) or its ReduceMean/Sub/Pow/Sqrt/Div decomposition (11), mean pooling.
Built with onnx.helper (forms torch 1.13 does not emit):
  ops_opset10.onnx   Conv with asymmetric pads and auto_pad=SAME_UPPER, MaxPool/AveragePool with asymmetric
                     pads (count_include_pad 0 and 1), GlobalAveragePool, Gemm with transA/transB/alpha/beta,
                     Slice with inputs and negative steps, Squeeze/Unsqueeze attributes, Dropout, Identity,
                     Split, Clip attributes, ReduceMean attribute axes, Softmax axis=1 coercion.
  ops_opset13.onnx   Slice with huge/negative ends, Squeeze/Unsqueeze with axes inputs, Split with split
                     input, Constant value_ints, ConstantOfShape, Expand, Where, Equal, Cast, Pow, Sqrt,
                     Sub, Div, MatMul batched, Transpose, Concat, Reshape with 0 and -1, Softmax axis=1.
  not_onnx.onnx      plain text; truncated.onnx: the first 600 bytes of cnn_opset13.onnx;
  unsupported_op.onnx  a graph with an op the importer does not know (Hardmax, node "hm").
"""
import math
import os
import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import helper, TensorProto, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, stride=1, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.c2 = nn.Conv2d(8, 8, 3, stride=2, padding=2, dilation=2, groups=4)
        self.bn2 = nn.BatchNorm2d(8)
        self.c3 = nn.Conv2d(8, 6, 1)
        self.fc = nn.Linear(6 * 3 * 3, 5)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = self.bn1(F.max_pool2d(x, 3, stride=2, padding=1))  # 12 -> 6; after a pool, so not folded into a Conv
        x = F.leaky_relu(self.bn2(self.c2(x)), 0.1)          # 6 -> 3
        x = torch.sigmoid(self.c3(x)) + torch.tanh(x[:, :6])
        x = torch.clamp(x, -0.5, 1.2)
        x = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        x = torch.flatten(x, 1)
        return self.fc(x)


class BertBlock(nn.Module):
    def __init__(self, d=16, heads=2, vocab_pos=32):
        super().__init__()
        self.heads = heads
        self.pos = nn.Embedding(vocab_pos, d)
        self.type_emb = nn.Embedding(2, d)
        self.register_buffer("pos_ids", torch.arange(vocab_pos).unsqueeze(0))
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.ln1 = nn.LayerNorm(d)
        self.ln2 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, 2 * d)
        self.ff2 = nn.Linear(2 * d, d)

    def forward(self, x, mask):
        n, s = x.size(0), x.size(1)
        pos = self.pos_ids[:, :s]
        types = torch.zeros_like(pos).expand(n, s)
        h = self.ln1(x + self.pos(pos) + self.type_emb(types))
        dh = h.size(-1) // self.heads
        def split(t):
            return t.view(n, s, self.heads, dh).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(dh)
        m = mask.unsqueeze(1).unsqueeze(2).expand(n, self.heads, s, s)
        scores = scores.masked_fill(m == 0, -1e4)
        a = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(a, v).transpose(1, 2).reshape(n, s, -1)
        h = self.ln2(h + self.o(ctx))
        f = self.ff2(F.gelu(self.ff1(h)))
        h = h + f * torch.sqrt(torch.ones_like(f[:, :, :1]) * 0.25)
        w = mask.to(h.dtype).unsqueeze(-1)
        pooled = (h * w).sum(1) / w.sum(1)
        return torch.cat([pooled, h.mean(dim=1)], dim=1)


def export(model, args, name, opset, inputs, dyn):
    model.eval()
    path = os.path.join(HERE, name)
    torch.onnx.export(model, args, path, opset_version=opset, input_names=inputs, output_names=["y"],
                      dynamic_axes=dyn, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    print(name, os.path.getsize(path), "bytes", sorted({n.op_type for n in m.graph.node}))


def randomize_bn(model):
    for mod in model.modules():
        if isinstance(mod, (nn.BatchNorm2d, nn.LayerNorm)):
            with torch.no_grad():
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.3, 0.3)
                if isinstance(mod, nn.BatchNorm2d):
                    mod.running_mean.uniform_(-0.2, 0.2)
                    mod.running_var.uniform_(0.5, 2.0)


def t(name, arr, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(arr, dtype=dtype), name)


def save(graph, name, opset):
    pending, ready, ordered = list(graph.node), {i.name for i in graph.input} | {t.name for t in graph.initializer}, []
    while pending:
        for n in list(pending):
            if all(i in ready or i == "" for i in n.input):
                ordered.append(n); ready.update(n.output); pending.remove(n)
    del graph.node[:]
    graph.node.extend(ordered)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="make_fixtures.py")
    m.ir_version = 7
    # (no onnx.checker here: outputs are declared without a shape, which ONNX Runtime accepts and the checker does not)
    path = os.path.join(HERE, name)
    onnx.save(m, path)
    print(name, os.path.getsize(path), "bytes", sorted({n.op_type for n in m.graph.node}))


def ops_opset10():
    rng = np.random.default_rng(1)
    N = helper.make_node
    nodes = [
        N("Conv", ["x", "w1", "b1"], ["c1"], name="conv_asym", pads=[1, 0, 2, 1], strides=[2, 1], kernel_shape=[3, 2]),
        N("Conv", ["x", "w2"], ["c2"], name="conv_same", auto_pad="SAME_UPPER", strides=[2, 2], group=3),
        N("MaxPool", ["c1"], ["p1"], name="max_asym", kernel_shape=[2, 3], pads=[0, 1, 1, 0], strides=[1, 1]),
        N("AveragePool", ["c1"], ["p2"], name="avg_excl", kernel_shape=[3, 3], pads=[1, 0, 0, 2], count_include_pad=0),
        N("AveragePool", ["c1"], ["p3"], name="avg_incl", kernel_shape=[3, 3], pads=[1, 0, 0, 2], count_include_pad=1),
        N("Add", ["p2", "p3"], ["p23"]),
        N("GlobalAveragePool", ["c2"], ["g2"], name="gap"),
        N("Flatten", ["g2"], ["f2"], axis=1),
        N("Gemm", ["f2t", "wg", "bg"], ["gemm"], name="gemm_t", transA=1, transB=1, alpha=0.7, beta=1.3),
        N("Transpose", ["f2"], ["f2t"], perm=[1, 0]),
        N("Clip", ["gemm"], ["clipped"], min=-0.4, max=0.6),
        N("Dropout", ["clipped"], ["drop"], ratio=0.3),
        N("Identity", ["drop"], ["y2"]),
        N("Slice", ["p23", "st", "en", "ax", "sp"], ["sl"], name="slice_neg"),
        N("ReduceMean", ["sl"], ["rm"], axes=[2, 3], keepdims=0),
        N("Softmax", ["p1"], ["sm"], axis=1),
        N("Split", ["sm"], ["s_a", "s_b"], axis=1, split=[2, 2]),
        N("Sub", ["s_a", "s_b"], ["sd"]),
        N("Unsqueeze", ["rm"], ["rmu"], axes=[1]),
        N("Squeeze", ["rmu"], ["y1"], axes=[1]),
        N("Flatten", ["sd"], ["y3"], axis=2),
    ]
    inits = [
        t("w1", rng.normal(0, 0.5, (4, 3, 3, 2))), t("b1", rng.normal(0, 0.1, 4)),
        t("w2", rng.normal(0, 0.5, (6, 1, 3, 3))),
        t("wg", rng.normal(0, 0.5, (5, 6))), t("bg", rng.normal(0, 0.1, 5)),
        t("st", [-1, 1], np.int64), t("en", [-100, 2**62], np.int64), t("ax", [1, 3], np.int64), t("sp", [-2, 2], np.int64),
    ]
    g = helper.make_graph(nodes, "ops10",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, 9, 8])],
                          [helper.make_tensor_value_info("y1", TensorProto.FLOAT, None),
                           helper.make_tensor_value_info("y2", TensorProto.FLOAT, None),
                           helper.make_tensor_value_info("y3", TensorProto.FLOAT, None)], inits)
    save(g, "ops_opset10.onnx", 10)


def ops_opset13():
    rng = np.random.default_rng(2)
    N = helper.make_node
    nodes = [
        N("Shape", ["x"], ["shp"]),
        N("Constant", [], ["zero"], value=helper.make_tensor("zv", TensorProto.INT64, [1], [0])),
        N("Constant", [], ["dims"], value_ints=[0, -1]),
        N("Gather", ["shp", "zero"], ["nb"], axis=0),
        N("Reshape", ["x", "dims"], ["flat"]),                                  # (n, 24)
        N("Slice", ["flat", "s_st", "s_en", "s_ax"], ["sl"]),                    # (n, 20) huge end, negative start
        N("Slice", ["flat", "s2_st", "s2_en", "s_ax"], ["sl2"]),                 # (n, 4) negative end
        N("Concat", ["sl", "sl2"], ["cat"], axis=-1),                           # (n, 24)
        N("Unsqueeze", ["cat", "ax1"], ["u"]),                                  # (n, 1, 24)
        N("Concat", ["nb", "c_4_6"], ["tshape"], axis=0),
        N("Reshape", ["u", "tshape"], ["r"]),                                   # (n, 4, 6)
        N("Transpose", ["r"], ["rt"], perm=[0, 2, 1]),                          # (n, 6, 4)
        N("MatMul", ["r", "rt"], ["gram"]),                                     # (n, 4, 4)
        N("Softmax", ["gram"], ["sm"], axis=1),
        N("Pow", ["sm", "two"], ["sq"]),
        N("Sqrt", ["sq"], ["sqr"]),
        N("Div", ["sqr", "three"], ["dv"]),
        N("ConstantOfShape", ["shp4"], ["half"], value=helper.make_tensor("v", TensorProto.FLOAT, [1], [0.5])),
        N("Shape", ["dv"], ["shp4"]),
        N("Cast", ["r"], ["ri"], to=TensorProto.INT64),
        N("Equal", ["ri", "zero_i"], ["eq"]),
        N("Where", ["eq", "r", "rneg"], ["wh"]),
        N("Neg", ["r"], ["rneg"]),
        N("Cast", ["eq"], ["eqf"], to=TensorProto.FLOAT),
        N("Add", ["wh", "eqf"], ["whe"]),
        N("Expand", ["bias", "shp4"], ["bexp"]),                                # (1, 4, 1) -> (n, 4, 4)
        N("Sub", ["dv", "bexp"], ["y1"]),
        N("Split", ["whe", "split"], ["w_a", "w_b"], axis=2),
        N("Squeeze", ["w_a", "ax2"], ["w_a2"]),                                 # (n, 4, 1) -> (n, 4)
        N("Mul", ["w_a2", "half2"], ["y2"]),
        N("Erf", ["w_b"], ["y3"]),
    ]
    inits = [
        t("s_st", [-20], np.int64), t("s_en", [2**63 - 1], np.int64), t("s_ax", [1], np.int64),
        t("s2_st", [1], np.int64), t("s2_en", [-19], np.int64),
        t("ax1", [1], np.int64), t("ax2", [2], np.int64), t("c_4_6", [4, 6], np.int64),
        t("two", 2.0), t("three", 3.0), t("zero_i", 0, np.int64), t("split", [1, 5], np.int64),
        t("bias", rng.normal(0, 1, (1, 4, 1))), t("half2", 0.5),
    ]
    g = helper.make_graph(nodes, "ops13",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 2, 3, 4])],
                          [helper.make_tensor_value_info("y1", TensorProto.FLOAT, None),
                           helper.make_tensor_value_info("y2", TensorProto.FLOAT, None),
                           helper.make_tensor_value_info("y3", TensorProto.FLOAT, None)], inits)
    save(g, "ops_opset13.onnx", 13)


def main():
    cnn = SmallCnn()
    randomize_bn(cnn)
    x = torch.randn(2, 3, 12, 12)
    for opset in (9, 13):
        export(cnn, (x,), f"cnn_opset{opset}.onnx", opset, ["x"], {"x": {0: "n"}, "y": {0: "n"}})
    bert = BertBlock()
    randomize_bn(bert)
    xb = torch.randn(2, 5, 16)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    for opset in (11, 17):
        export(bert, (xb, mask), f"bert_opset{opset}.onnx", opset, ["x", "mask"],
               {"x": {0: "n", 1: "s"}, "mask": {0: "n", 1: "s"}, "y": {0: "n"}})
    ops_opset10()
    ops_opset13()
    with open(os.path.join(HERE, "not_onnx.onnx"), "w") as f:
        f.write("this is a text file, not an ONNX model\n")
    with open(os.path.join(HERE, "cnn_opset13.onnx"), "rb") as f:
        head = f.read(600)
    with open(os.path.join(HERE, "truncated.onnx"), "wb") as f:
        f.write(head)
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["r"], name="r0"),
                           helper.make_node("Hardmax", ["r"], ["y"], name="hm", axis=1)], "unsupported",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    save(g, "unsupported_op.onnx", 13)


if __name__ == "__main__":
    main()
