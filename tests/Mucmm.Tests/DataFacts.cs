using Xunit;

namespace Mucmm.Tests;

/// <summary>A fact that needs the spoken-digit recordings (FSDD); skipped with the reason where they are absent.</summary>
public sealed class FsddFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the recordings are absent.</summary>
    public FsddFactAttribute() => Skip = FsddSkip;

    internal static string? FsddSkip =>
        TestPaths.SkipUnless(TestPaths.Fsdd, "recordings", "the spoken-digit recordings (FSDD)", "MUCMM_FSDD");
}

/// <summary>A theory that needs the spoken-digit recordings (FSDD); skipped with the reason where they are absent.</summary>
public sealed class FsddTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the recordings are absent.</summary>
    public FsddTheoryAttribute() => Skip = FsddFactAttribute.FsddSkip;
}

/// <summary>A fact that needs the MNIST source files (IDX, gzip); skipped with the reason where they are absent.</summary>
public sealed class MnistFilesFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the files are absent.</summary>
    public MnistFilesFactAttribute() =>
        Skip = TestPaths.SkipUnless(TestPaths.Mnist, "labels-idx1-ubyte.gz", "the MNIST source files", "MUCMM_MNIST");
}

/// <summary>A fact that needs the emoji drawings and names; skipped with the reason where they are absent.</summary>
public sealed class EmojiFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the folder is absent.</summary>
    public EmojiFactAttribute() =>
        Skip = TestPaths.SkipUnless(TestPaths.Emoji, "emoji.json", "the emoji drawings and names", "MUCMM_EMOJI");
}
