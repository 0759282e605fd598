using System.CommandLine;
using Mucmm.Cli;
using Mucmm.Cli.Commands;

Mucmm.NativeRuntime.PrepareOpenMp();   // before libtorch loads (docs/benchmarks.md: thread settings)
Mucmm.NativeRuntime.PrepareAllocator(); // freed tensor memory is reused, not unmapped (docs/pretrained.md: Performance)

var root = CliRunner.CreateRoot(
    "mucmm — multimodal understanding through correlation maximization and minimization.\n" +
    "Learns what paired modalities share (common) and what is individual to each, scores samples, and draws gradient maps.");

// One line per command; each command lives in Commands/<Name>Command.cs.
root.Subcommands.Add(DatasetsCommand.Create());
root.Subcommands.Add(ExportDatasetCommand.Create());
root.Subcommands.Add(FitCommand.Create());
root.Subcommands.Add(TransformCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(CompareCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ScoreCommand.Create());
root.Subcommands.Add(ExplainCommand.Create());
root.Subcommands.Add(StatsCommand.Create());
root.Subcommands.Add(FeaturesCommand.Create());

return CliRunner.Run(root, args);
