using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point type (BenchmarkDotNet discovers benchmarks in this assembly).</summary>
public partial class Program { }
