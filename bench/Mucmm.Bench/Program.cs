using BenchmarkDotNet.Running;
using Mucmm.Bench;

// dotnet run -c Release --project bench/Mucmm.Bench -- --filter '*Linear*'     BenchmarkDotNet (see docs/benchmarks.md)
// dotnet run -c Release --project bench/Mucmm.Bench -- step|matmul|roofline|linear|onnx [--options]   quick stopwatch modes
// dotnet run -c Release --project bench/Mucmm.Bench -- stream generate|read|accumulate|fit|shards|merge --dir D
BenchEnvironment.PrepareNative();   // before libtorch loads
if (args.Length > 0 && args[0] == "stream") return StreamedFit.Run(args);
if (args.Length > 0 && args[0] is "lapack" or "parts" or "step" or "matmul" or "roofline" or "linear" or "onnx" or "heads" or "convlab") return QuickModes.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>Entry point type (BenchmarkDotNet discovers benchmarks in this assembly).</summary>
public partial class Program { }
