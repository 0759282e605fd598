using System.Runtime.InteropServices;
using Xunit;

namespace Mucmm.Tests;

/// <summary>
/// <see cref="NativeRuntime.PrepareOpenMp"/> must put the wait policy into libc's environment (what
/// LibTorch's OpenMP runtime reads), not only into .NET's copy. Oracle: libc <c>getenv</c>.
/// </summary>
public class NativeRuntimeTests
{
    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern IntPtr getenv(string name);

    private static string? NativeEnv(string name) => Marshal.PtrToStringAnsi(getenv(name));

    /// <summary>Without a user setting the policy is PASSIVE and native code sees it; a user's setting is kept.</summary>
    [Fact]
    public void PrepareOpenMpSetsTheNativeWaitPolicy()
    {
        if (!OperatingSystem.IsLinux()) return;
        string? user = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        string? mucmm = Environment.GetEnvironmentVariable("MUCMM_OMP_WAIT_POLICY");
        NativeRuntime.PrepareOpenMp();
        if (user is not null)
        {
            Assert.Equal(user, NativeRuntime.WaitPolicy);
            Assert.Equal(user, NativeEnv("OMP_WAIT_POLICY"));
        }
        else if (mucmm is null)
        {
            Assert.Equal("PASSIVE", NativeRuntime.WaitPolicy);
            Assert.Equal("PASSIVE", NativeEnv("OMP_WAIT_POLICY"));
        }
        else
        {
            Assert.Equal(mucmm, NativeRuntime.WaitPolicy);
        }
    }

    /// <summary>
    /// After <see cref="NativeRuntime.PrepareAllocator"/> glibc serves a 40 MB tensor from its heap, which keeps freed
    /// memory for the next tensor, instead of mapping it (and unmapping it when freed). Oracle: glibc's own count of
    /// bytes in mapped blocks (<c>mallinfo2().hblkhd</c>) while the tensor lives — without the setting it grows by the
    /// tensor's 40 MB (every block above 32 MB is mapped). Reuse itself is measured by the benchmark (page faults per
    /// forward, docs/pretrained.md); on a test thread (not the process's first) glibc's per-thread heaps may still
    /// return whole heaps to the system, so page faults are no oracle here.
    /// </summary>
    [Fact]
    public void PrepareAllocatorStopsMappingLargeTensors()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MUCMM_MALLOC") == "default") return;
        NativeRuntime.PrepareAllocator();
        Assert.True(NativeRuntime.AllocatorKeepsMemory);
        const long floats = 10_000_000;
        long before = (long)mallinfo2().Hblkhd;
        using var tensor = TorchSharp.torch.ones(floats);
        long mapped = (long)mallinfo2().Hblkhd - before;
        Assert.True(mapped < floats * 4 / 2, $"{mapped} more bytes in mapped blocks while a 40 MB tensor lives");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc")]
    private static extern MallInfo2 mallinfo2();
}
