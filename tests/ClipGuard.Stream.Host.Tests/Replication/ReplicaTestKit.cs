using ClipGuard.Stream.Core.Numerics;

namespace ClipGuard.Stream.Host.Tests.Replication;

/// <summary>Helpers the replication tests share: row slices of generated data, and patient waits with diagnostics.</summary>
internal static class ReplicaTestKit
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static Matrix<float> Slice(Matrix<float> data, int from, int count)
    {
        var m = new Matrix<float>(count, data.Cols);
        for (int i = 0; i < count; i++)
        {
            data.RowReadOnly(from + i).CopyTo(m.Row(i));
        }

        return m;
    }

    /// <summary>Polls <paramref name="condition"/>; fails with <paramref name="what"/> and the processes' output on exit or timeout.</summary>
    public static void Wait(Func<bool> condition, string what, Func<string> diagnostics, Func<bool> failed)
    {
        DateTime deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (failed())
            {
                throw new InvalidOperationException($"a replica exited while waiting for: {what}\n{diagnostics()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not reached within {Timeout}: {what}\n{diagnostics()}");
            }

            Thread.Sleep(250);
        }
    }
}
