using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Mucmm.Data.Readers;

/// <summary>Element type of a supported <c>.npy</c> file (little-endian IEEE floats).</summary>
public enum NpyDType
{
    /// <summary>32-bit float, NumPy descr <c>'&lt;f4'</c>.</summary>
    Float32,
    /// <summary>64-bit float, NumPy descr <c>'&lt;f8'</c>.</summary>
    Float64,
}

/// <summary>
/// The parsed header of a <c>.npy</c> file (NumPy format versions 1.0, 2.0 and 3.0; see
/// <c>numpy/lib/format.py</c>): element type, shape, and where the data starts.
/// </summary>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Array shape, outermost first (empty for a 0-d array).</param>
/// <param name="DataOffset">Byte offset of the first value from the start of the file.</param>
/// <param name="MajorVersion">Format major version (1, 2 or 3).</param>
public sealed record NpyHeader(NpyDType DType, long[] Shape, long DataOffset, int MajorVersion)
{
    /// <summary>Number of rows: the first dimension (1 for a 0-d array).</summary>
    public long Rows => Shape.Length == 0 ? 1 : Shape[0];

    /// <summary>Values per row: the product of all dimensions after the first (1 for 0-d and 1-d arrays).</summary>
    public long Cols
    {
        get
        {
            long c = 1;
            for (int i = 1; i < Shape.Length; i++) c *= Shape[i];
            return c;
        }
    }

    /// <summary>Total number of values.</summary>
    public long Count => Rows * Cols;

    /// <summary>Bytes per value (4 or 8).</summary>
    public int ItemSize => DType == NpyDType.Float32 ? 4 : 8;

    /// <summary>Shape formatted as NumPy prints it, e.g. "(3, 4)" or "(5,)".</summary>
    public string ShapeText => FormatShape(Shape);

    internal static string FormatShape(IReadOnlyList<long> shape) =>
        shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";

    internal static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads and validates the header at the current position of <paramref name="stream"/> (the file start).</summary>
    /// <exception cref="MucmmUserException">Not a .npy file, unsupported version, dtype or order, malformed header.</exception>
    internal static NpyHeader Read(Stream stream, string source)
    {
        var (descr, fortran, shape, dataOffset, major) = ReadUntyped(stream, source);
        if (fortran)
            throw new MucmmUserException(source, "fortran_order is True (column-major); only C-order arrays are supported — save with np.ascontiguousarray(a)");
        var dtype = ParseDescr(descr, source);
        return new NpyHeader(dtype, shape, dataOffset, major);
    }

    /// <summary>
    /// Reads the header dictionary without checking the dtype or order (for members of other types, e.g.
    /// the int64 and string scalars of a statistics <c>.npz</c>): descr as written, fortran_order, shape,
    /// data offset, major version.
    /// </summary>
    internal static (object? Descr, bool Fortran, long[] Shape, long DataOffset, int Major) ReadUntyped(Stream stream, string source)
    {
        Span<byte> pre = stackalloc byte[12];
        int got = stream.ReadAtLeast(pre[..8], 8, throwOnEndOfStream: false);
        if (got < 6 || !pre[..6].SequenceEqual(Magic))
            throw new MucmmUserException(source, "not a NumPy .npy file (missing the \\x93NUMPY magic string)");
        if (got < 8) throw new MucmmUserException(source, "truncated .npy header (the file ends after the magic string)");
        int major = pre[6], minor = pre[7];
        int lenBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new MucmmUserException(source, $"unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)"),
        };
        ReaderIO.ReadExactly(stream, pre.Slice(8, lenBytes), source, ".npy header length");
        long headerLen = lenBytes == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(pre[8..]);
        if (headerLen > 1 << 24) throw new MucmmUserException(source, $"malformed .npy header: declared header length {headerLen} bytes is implausible");
        int preHeader = 8 + lenBytes;
        var headerBytes = new byte[headerLen];
        ReaderIO.ReadExactly(stream, headerBytes, source, ".npy header");
        string text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var (descr, fortran, shape) = ParseDict(text, source);
        return (descr, fortran, shape, preHeader + headerLen, major);
    }

    /// <summary>Writes a version 1.0 header (2.0 if it does not fit), padded so the data starts at a multiple of 64 bytes.</summary>
    internal static long Write(Stream stream, NpyDType dtype, IReadOnlyList<long> shape) =>
        Write(stream, dtype == NpyDType.Float32 ? "<f4" : "<f8", shape);

    /// <summary>The same for any NumPy descr (e.g. <c>'&lt;i8'</c>, <c>'&lt;U12'</c>); the caller writes matching data.</summary>
    internal static long Write(Stream stream, string descr, IReadOnlyList<long> shape)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {FormatShape(shape)}, }}";
        int major = 1;
        int pre = 10;
        int total = Pad(pre + dict.Length + 1);
        if (total - pre > ushort.MaxValue)
        {
            major = 2;
            pre = 12;
            total = Pad(pre + dict.Length + 1);
        }
        int headerLen = total - pre;
        var bytes = new byte[total];
        Magic.CopyTo(bytes, 0);
        bytes[6] = (byte)major;
        bytes[7] = 0;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerLen);
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)headerLen);
        string padded = dict.PadRight(headerLen - 1) + "\n";
        Encoding.Latin1.GetBytes(padded, bytes.AsSpan(pre));
        stream.Write(bytes);
        return total;

        static int Pad(int n) => (n + 63) / 64 * 64;
    }

    private static NpyDType ParseDescr(object? descr, string source)
    {
        if (descr is not string s)
            throw new MucmmUserException(source, "unsupported dtype: a structured (record) dtype; expected float32 ('<f4') or float64 ('<f8')");
        bool little = BitConverter.IsLittleEndian;
        switch (s)
        {
            case "<f4": return NpyDType.Float32;
            case "<f8": return NpyDType.Float64;
            case "=f4" when little: return NpyDType.Float32;
            case "=f8" when little: return NpyDType.Float64;
        }
        string what = s.Length >= 2 && (s[0] == '>')
            ? $"big-endian {Describe(s[1..])}"
            : Describe(s.TrimStart('<', '>', '=', '|'));
        throw new MucmmUserException(source, $"unsupported dtype '{s}' ({what}); expected little-endian float32 ('<f4') or float64 ('<f8') — convert with a.astype('<f4')");
    }

    private static string Describe(string code) => code switch
    {
        "f2" => "float16",
        "f4" => "float32",
        "f8" => "float64",
        "f16" => "float128",
        "i1" => "int8",
        "i2" => "int16",
        "i4" => "int32",
        "i8" => "int64",
        "u1" => "uint8",
        "u2" => "uint16",
        "u4" => "uint32",
        "u8" => "uint64",
        "b1" => "bool",
        "c8" => "complex64",
        "c16" => "complex128",
        "O" => "Python objects",
        _ when code.StartsWith('U') => "unicode strings",
        _ when code.StartsWith('S') => "byte strings",
        _ => "unknown type",
    };

    // A small parser for the Python dict literal NumPy writes:
    // {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
    private static (object? Descr, bool Fortran, long[] Shape) ParseDict(string text, string source)
    {
        var p = new LiteralParser(text, source);
        var dict = p.ParseTopDict();
        if (!dict.TryGetValue("descr", out var descr)) throw p.Malformed("the key 'descr' is missing");
        if (!dict.TryGetValue("fortran_order", out var fo)) throw p.Malformed("the key 'fortran_order' is missing");
        if (!dict.TryGetValue("shape", out var sh)) throw p.Malformed("the key 'shape' is missing");
        if (fo is not bool fortran) throw p.Malformed("'fortran_order' is not True or False");
        if (sh is not List<object?> items) throw p.Malformed("'shape' is not a tuple");
        var shape = new long[items.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            if (items[i] is not long d || d < 0) throw p.Malformed("'shape' holds something other than non-negative integers");
            shape[i] = d;
        }
        long cols = 1;
        for (int i = 1; i < shape.Length; i++)
        {
            cols *= shape[i];
            if (cols > int.MaxValue) throw new MucmmUserException(source, $"shape {FormatShape(shape)} has more than {int.MaxValue} values per row");
        }
        if (shape.Length > 0 && cols > 0 && shape[0] > (long.MaxValue / 16) / cols)
            throw new MucmmUserException(source, $"shape {FormatShape(shape)} is implausibly large");
        return (descr, fortran, shape);
    }

    private sealed class LiteralParser(string text, string source)
    {
        private int _pos;

        public MucmmUserException Malformed(string why) =>
            new(source, $"malformed .npy header: {why} (header: {text.Trim().Replace("\n", " ")})");

        public Dictionary<string, object?> ParseTopDict()
        {
            SkipWs();
            var d = ParseDictBody();
            SkipWs();
            if (_pos != text.Length) throw Malformed("unexpected text after the dictionary");
            return d;
        }

        private Dictionary<string, object?> ParseDictBody()
        {
            Expect('{');
            var d = new Dictionary<string, object?>();
            while (true)
            {
                SkipWs();
                if (Peek() == '}') { _pos++; return d; }
                if (ParseValue() is not string key) throw Malformed("a dictionary key is not a string");
                SkipWs();
                Expect(':');
                d[key] = ParseValue();
                SkipWs();
                char c = Peek();
                if (c == ',') { _pos++; continue; }
                if (c == '}') { _pos++; return d; }
                throw Malformed($"expected ',' or '}}' at position {_pos}");
            }
        }

        private object? ParseValue()
        {
            SkipWs();
            char c = Peek();
            if (c == '\'' || c == '"') return ParseString();
            if (c == '(' || c == '[') return ParseSequence(c == '(' ? ')' : ']');
            if (c == '{') return ParseDictBody();
            int start = _pos;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '-' or '+' or '.' or '_')) _pos++;
            string word = text[start.._pos];
            if (word.Length == 0) throw Malformed($"unexpected character '{c}' at position {start}");
            if (word == "True") return true;
            if (word == "False") return false;
            if (word == "None") return null;
            // Python 2 era files may write shape entries as 3L.
            string digits = word.EndsWith('L') ? word[..^1] : word;
            if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)) return v;
            return word;
        }

        private List<object?> ParseSequence(char close)
        {
            _pos++;
            var items = new List<object?>();
            while (true)
            {
                SkipWs();
                if (Peek() == close) { _pos++; return items; }
                items.Add(ParseValue());
                SkipWs();
                char c = Peek();
                if (c == ',') { _pos++; continue; }
                if (c == close) { _pos++; return items; }
                throw Malformed($"expected ',' or '{close}' at position {_pos}");
            }
        }

        private string ParseString()
        {
            char quote = text[_pos++];
            var sb = new StringBuilder();
            while (_pos < text.Length && text[_pos] != quote)
            {
                if (text[_pos] == '\\' && _pos + 1 < text.Length) _pos++;
                sb.Append(text[_pos++]);
            }
            if (_pos >= text.Length) throw Malformed("unterminated string");
            _pos++;
            return sb.ToString();
        }

        private void Expect(char c)
        {
            SkipWs();
            if (Peek() != c) throw Malformed($"expected '{c}' at position {_pos}");
            _pos++;
        }

        private char Peek()
        {
            if (_pos >= text.Length) throw Malformed("the header ends too early");
            return text[_pos];
        }

        private void SkipWs()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }
    }
}
