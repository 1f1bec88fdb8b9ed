using System.Runtime.InteropServices;

namespace ClipGuard.Stream.Testing;

/// <summary>Sends signals to child processes: .NET can only SIGKILL, and graceful shutdown must be tested with SIGTERM.</summary>
public static partial class PosixSignals
{
    public const int SigTerm = 15;

    public const int SigKill = 9;

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
