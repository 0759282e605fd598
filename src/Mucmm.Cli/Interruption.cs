using System.Runtime.InteropServices;
using Mucmm.Data;

namespace Mucmm.Cli;

/// <summary>
/// SIGINT (Ctrl-C), SIGTERM and SIGHUP while a command runs: the temporary files and folders of this process
/// (<see cref="TemporaryPaths"/>: unfinished output folders, in-place file writes, work folders without a resumable
/// checkpoint) are deleted, one line is printed, and the process exits with 128 + the signal number (130, 143, 129).
/// A commit in progress finishes first (<see cref="TemporaryPaths.DeleteAll"/> waits for it).
/// </summary>
public static class Interruption
{
    /// <summary>Registers the handlers until the result is disposed (no-op where signals are not supported).</summary>
    public static IDisposable Install()
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1) })
        {
            try
            {
                registrations.Add(PosixSignalRegistration.Create(signal, context => Handle(context, number)));
            }
            catch (PlatformNotSupportedException)
            {
            }
        }
        return new Registrations(registrations);
    }

    /// <summary>The number of the signal being handled (2, 15 or 1), 0 before any: the exit code is 128 + it.</summary>
    public static int Signal { get; private set; }

    private static void Handle(PosixSignalContext context, int number)
    {
        Signal = number;
        int removed = TemporaryPaths.DeleteAll();
        Console.Error.WriteLine($"mucmm: interrupted ({context.Signal}){(removed > 0 ? "; the unfinished output was removed" : "")}");
        // context.Cancel stays false: the runtime's default handling ends the process.
    }

    private sealed class Registrations(List<PosixSignalRegistration> list) : IDisposable
    {
        public void Dispose()
        {
            foreach (var r in list) r.Dispose();
        }
    }
}
