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
}
