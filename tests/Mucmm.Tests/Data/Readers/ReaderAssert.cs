using Mucmm;
using Xunit;

namespace Mucmm.Tests.Data.Readers;

/// <summary>Assertions for reader errors: a <see cref="MucmmUserException"/> whose one-line message starts with the file and names the problem.</summary>
internal static class ReaderAssert
{
    public static MucmmUserException UserError(Action read, string file, params string[] fragments)
    {
        var e = Assert.Throws<MucmmUserException>(read);
        Assert.StartsWith(file + ": ", e.Message);
        Assert.Equal(file, e.File);
        Assert.DoesNotContain('\n', e.Message);
        foreach (string f in fragments) Assert.Contains(f, e.Message);
        return e;
    }

    public static string Fixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);
}
