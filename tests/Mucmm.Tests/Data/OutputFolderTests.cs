using Mucmm.Data;
using Xunit;

namespace Mucmm.Tests.Data;

public class OutputFolderTests
{
    private static string[] Siblings(string target) =>
        Directory.GetFileSystemEntries(Path.GetDirectoryName(target)!).Select(Path.GetFileName).ToArray()!;

    [Fact]
    public void Files_appear_in_the_target_only_after_commit()
    {
        string target = Path.Combine(TestPaths.NewTempDir(), "out");
        using (var folder = OutputFolder.Create(target))
        {
            File.WriteAllText(folder.File("a.txt"), "a");
            Assert.False(Directory.Exists(target));
            folder.Commit();
        }
        Assert.Equal("a", File.ReadAllText(Path.Combine(target, "a.txt")));
        Assert.Equal(["out"], Siblings(target));
    }

    [Fact]
    public void Failure_leaves_neither_target_nor_temporary_folder()
    {
        string target = Path.Combine(TestPaths.NewTempDir(), "out");
        Assert.Throws<InvalidOperationException>(() => OutputFolder.Write(target, false, folder =>
        {
            File.WriteAllText(folder.File("half.txt"), "x");
            throw new InvalidOperationException("boom");
        }));
        Assert.False(Directory.Exists(target));
        Assert.Empty(Siblings(target));
    }

    [Fact]
    public void Existing_target_is_refused_without_force_and_replaced_with_force()
    {
        string target = Path.Combine(TestPaths.NewTempDir(), "out");
        OutputFolder.Write(target, false, folder => File.WriteAllText(folder.File("old.txt"), "old"));

        var ex = Assert.Throws<MucmmUserException>(() => OutputFolder.Create(target));
        Assert.StartsWith(target, ex.Message);
        Assert.Contains("OutputFolder.Create(force)", ex.Message);
        Assert.Equal(["out"], Siblings(target));

        OutputFolder.Write(target, force: true, folder => File.WriteAllText(folder.File("new.txt"), "new"));
        Assert.Equal([OutputFolder.MarkerFile, "new.txt"], Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["out"], Siblings(target));
    }

    [Fact]
    public void A_file_in_the_way_is_refused_even_with_force()
    {
        string target = Path.Combine(TestPaths.NewTempDir(), "out");
        File.WriteAllText(target, "file");
        var ex = Assert.Throws<MucmmUserException>(() => OutputFolder.Create(target, force: true));
        Assert.Contains("is a file", ex.Message);
    }

    [Fact]
    public void Missing_parent_folders_are_created()
    {
        string target = Path.Combine(TestPaths.NewTempDir(), "a", "b", "out");
        OutputFolder.Write(target, false, folder => File.WriteAllText(folder.File("x"), "1"));
        Assert.True(File.Exists(Path.Combine(target, "x")));
    }
}
