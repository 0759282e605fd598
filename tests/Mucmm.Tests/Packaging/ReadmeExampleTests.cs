using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Mucmm.Linear;
using Xunit;

namespace Mucmm.Tests.Packaging;

/// <summary>
/// README.md's C# example, compiled and run exactly as written. The full check, from the packed
/// library in a fresh <c>dotnet new console</c> project, is <c>build/check-packages.sh</c> (slow: it packs
/// and restores); this test keeps the example honest in every <c>dotnet test</c>.
/// </summary>
public sealed partial class ReadmeExampleTests
{
    /// <summary>The usings a <c>dotnet new console</c> project adds implicitly (ImplicitUsings=enable).</summary>
    private const string ImplicitUsings =
        "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
        "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";

    /// <summary>
    /// Extracts the one <c>```csharp</c> block of README.md, compiles it as the Program.cs of a console
    /// project (top-level statements, the SDK's implicit usings, nullable on, latest C#; any warning fails
    /// too) against the framework and the Mucmm assembly with its references, runs it and reads what it prints.
    /// Oracle: docs/results.md's noisy-mnist table (<c>mucmm compare</c>, linear MUCMM with the default
    /// k = r = 10, same split): test Σρ = 2.41 and ρ₁..₃ ≈ 0.65 / 0.59 / 0.53; tolerance 0.011 on the sum
    /// (the table's rounding to 0.01 plus ten printed values rounded to 0.001) and 0.006 on each ρ.
    /// The mean individual scores are means of squared unit-variance variates: near 1 on test (0.8–1.2).
    /// </summary>
    [Fact]
    public void ReadmeCSharpBlockCompilesAndPrintsTheDocumentedCorrelations()
    {
        string code = ExtractCSharpBlock(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md")));
        int lines = code.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.InRange(lines, 10, 20);

        string output = CompileAndRun(code);

        var rhoLine = CorrelationsLine().Match(output);
        Assert.True(rhoLine.Success, $"no correlations line in:\n{output}");
        double[] rho = rhoLine.Groups["rho"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(LinearOptions.Defaults.CommonDim, rho.Length);
        Assert.InRange(rho.Sum(), 2.41 - 0.011, 2.41 + 0.011);
        double[] documented = [0.65, 0.59, 0.53];
        for (int i = 0; i < documented.Length; i++) Assert.InRange(rho[i], documented[i] - 0.006, documented[i] + 0.006);

        var scoresLine = ScoresLine().Match(output);
        Assert.True(scoresLine.Success, $"no scores line in:\n{output}");
        foreach (var name in new[] { "u1", "u2" })
            Assert.InRange(double.Parse(scoresLine.Groups[name].Value, CultureInfo.InvariantCulture), 0.8, 1.2);
    }

    /// <summary>The text of the only <c>```csharp</c> block (fails when there are none or several).</summary>
    private static string ExtractCSharpBlock(string markdown)
    {
        var blocks = CSharpBlock().Matches(markdown);
        Assert.True(blocks.Count == 1, $"README.md must have exactly one ```csharp block, found {blocks.Count}");
        return blocks[0].Groups["code"].Value;
    }

    /// <summary>Compiles <paramref name="code"/> as a console program, runs its entry point and returns standard output.</summary>
    private static string CompileAndRun(string code)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "ReadmeExample",
            [CSharpSyntaxTree.ParseText(code, parse, "Program.cs"), CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "GlobalUsings.g.cs")],
            References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var problems = emitted.Diagnostics
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id is not ("CS1701" or "CS1702"))
            .Select(d => d.ToString()).ToArray();
        Assert.True(emitted.Success && problems.Length == 0, "README.md's C# block does not compile cleanly:\n" + string.Join("\n", problems));

        image.Position = 0;
        // A collectible context of its own; Mucmm, TorchSharp and the framework resolve to the loaded copies.
        var context = new AssemblyLoadContext("readme-example", isCollectible: true);
        try
        {
            var entry = context.LoadFromStream(image).EntryPoint ?? throw new InvalidOperationException("no entry point");
            var oldOut = Console.Out;
            using var stdout = new StringWriter();
            Console.SetOut(stdout);
            try
            {
                entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw new InvalidOperationException("README.md's C# block threw: " + e.InnerException, e.InnerException);
            }
            finally
            {
                Console.SetOut(oldOut);
            }
            return stdout.ToString();
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>
    /// What a console project that references the package compiles against: the framework, the Mucmm
    /// assembly and the assemblies it references (TorchSharp among them: the package's dependencies flow to
    /// the consumer).
    /// </summary>
    private static List<MetadataReference> References()
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = Directory.GetFiles(framework, "*.dll")
            .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        var library = typeof(LinearMucmm).Assembly;
        paths.Add(library.Location);
        foreach (var name in library.GetReferencedAssemblies())
        {
            string location = Assembly.Load(name).Location;
            if (location.Length > 0) paths.Add(location);
        }
        return paths.Where(IsManaged).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
    }

    private static bool IsManaged(string path)
    {
        try
        {
            _ = AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^```csharp\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"test correlations: (?<rho>[-0-9. ]+?) \(sum")]
    private static partial Regex CorrelationsLine();

    [GeneratedRegex(@"mean scores on test: common (?<c>-?[0-9.]+), individual (?<u1>-?[0-9.]+) (?<u2>-?[0-9.]+)")]
    private static partial Regex ScoresLine();
}
