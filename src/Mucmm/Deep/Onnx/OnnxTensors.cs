using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Deep.Onnx;

/// <summary>Conversions between ONNX tensors and element types and TorchSharp tensors.</summary>
internal static class OnnxTensors
{
    // TensorProto.DataType values (onnx.proto).
    public const int Float = 1, UInt8 = 2, Int8 = 3, Int16 = 5, Int32 = 6, Int64 = 7, Bool = 9, Float16 = 10, Double = 11;

    /// <summary>The torch element type of ONNX element type <paramref name="onnxType"/>; floats map to <paramref name="floatType"/> (the module's compute precision); null when unsupported.</summary>
    public static ScalarType? TorchType(int onnxType, ScalarType floatType) => onnxType switch
    {
        Float or Double => floatType,
        UInt8 => ScalarType.Byte,
        Int8 => ScalarType.Int8,
        Int16 => ScalarType.Int16,
        Int32 => ScalarType.Int32,
        Int64 => ScalarType.Int64,
        Bool => ScalarType.Bool,
        _ => null,
    };

    /// <summary>Name of an ONNX element type for messages.</summary>
    public static string TypeName(int onnxType) => onnxType switch
    {
        Float => "float", UInt8 => "uint8", Int8 => "int8", Int16 => "int16", Int32 => "int32", Int64 => "int64",
        Bool => "bool", Float16 => "float16", Double => "double", 8 => "string", _ => $"type {onnxType}",
    };

    /// <summary>
    /// Reads a TensorProto (raw little-endian bytes or the typed repeated fields) into a new CPU tensor; floating
    /// point values become <paramref name="floatType"/>. Throws <see cref="MucmmUserException"/> naming <paramref name="file"/>
    /// for element types or storage it cannot read.
    /// </summary>
    public static Tensor ToTorch(TensorProto t, ScalarType floatType, string file)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new MucmmUserException(file, $"tensor '{t.Name}' keeps its data in an external file, which is not supported (save the model with its weights inside the .onnx file)");
        long[] dims = t.Dims.ToArray();
        long n = dims.Aggregate(1L, (a, b) => a * b);
        if (dims.Any(d => d < 0)) throw new MucmmUserException(file, $"tensor '{t.Name}' has a negative dimension");
        byte[]? raw = t.RawData.Length > 0 ? t.RawData.ToByteArray() : null;
        Tensor result = t.DataType switch
        {
            Float => raw is not null ? Raw<float>(raw, n, t, file) : torch.tensor(Check(t.FloatData.ToArray(), n, t, file)),
            Double => raw is not null ? Raw<double>(raw, n, t, file) : torch.tensor(Check(t.DoubleData.ToArray(), n, t, file)),
            Int64 => raw is not null ? Raw<long>(raw, n, t, file) : torch.tensor(Check(t.Int64Data.ToArray(), n, t, file)),
            Int32 => raw is not null ? Raw<int>(raw, n, t, file) : torch.tensor(Check(t.Int32Data.ToArray(), n, t, file)),
            Int16 => raw is not null ? Raw<short>(raw, n, t, file) : torch.tensor(Check(t.Int32Data.Select(v => (short)v).ToArray(), n, t, file)),
            Int8 => raw is not null ? Raw<sbyte>(raw, n, t, file) : torch.tensor(Check(t.Int32Data.Select(v => (sbyte)v).ToArray(), n, t, file)),
            UInt8 => raw is not null ? Raw<byte>(raw, n, t, file) : torch.tensor(Check(t.Int32Data.Select(v => (byte)v).ToArray(), n, t, file)),
            Bool => raw is not null ? Raw<bool>(raw, n, t, file) : torch.tensor(Check(t.Int32Data.Select(v => v != 0).ToArray(), n, t, file)),
            _ => throw new MucmmUserException(file, $"tensor '{t.Name}' has element type {TypeName(t.DataType)}, which is not supported"),
        };
        using (result)
        {
            var shaped = result.reshape(dims);
            if (shaped.is_floating_point() && shaped.dtype != floatType)
            {
                using (shaped) return shaped.to_type(floatType);
            }
            return shaped;
        }
    }

    private static T[] Check<T>(T[] values, long n, TensorProto t, string file) =>
        values.Length == n ? values : throw new MucmmUserException(file, $"tensor '{t.Name}' holds {values.Length} values for shape [{string.Join(", ", t.Dims)}]");

    private static Tensor Raw<T>(byte[] raw, long n, TensorProto t, string file) where T : unmanaged
    {
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (raw.LongLength != n * size)
            throw new MucmmUserException(file, $"tensor '{t.Name}' holds {raw.LongLength} bytes for shape [{string.Join(", ", t.Dims)}] (expected {n * size})");
        var values = new T[n];
        Buffer.BlockCopy(raw, 0, values, 0, raw.Length);
        if (typeof(T) == typeof(bool)) return torch.tensor((bool[])(object)values);
        return typeof(T) == typeof(float) ? torch.tensor((float[])(object)values)
            : typeof(T) == typeof(double) ? torch.tensor((double[])(object)values)
            : typeof(T) == typeof(long) ? torch.tensor((long[])(object)values)
            : typeof(T) == typeof(int) ? torch.tensor((int[])(object)values)
            : typeof(T) == typeof(short) ? torch.tensor((short[])(object)values)
            : typeof(T) == typeof(sbyte) ? torch.tensor((sbyte[])(object)values)
            : torch.tensor((byte[])(object)values);
    }

    /// <summary>The values of an integer (or any) tensor as longs (copied to the CPU).</summary>
    public static long[] Longs(Tensor t)
    {
        using var c = t.to_type(ScalarType.Int64).cpu();
        return c.data<long>().ToArray();
    }

    /// <summary>The single value of a one-element tensor as a double.</summary>
    public static double Scalar(Tensor t)
    {
        using var c = t.to_type(ScalarType.Float64).cpu();
        return c.reshape(-1)[0].item<double>();
    }
}
