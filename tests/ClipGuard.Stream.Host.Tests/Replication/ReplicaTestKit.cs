using System.Globalization;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Host.Tests.Replication;

/// <summary>Helpers the replication tests share: row slices of generated data, publishing them, and patient waits with diagnostics.</summary>
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

    /// <summary>The rows among the first <paramref name="count"/> of <paramref name="data"/> labelled 0 (a trusted seed).</summary>
    public static Matrix<float> Inliers(Matrix<float> data, int count, int[] labels)
    {
        var picked = Enumerable.Range(0, count).Where(i => labels[i] == 0).ToList();
        var m = new Matrix<float>(picked.Count, data.Cols);
        for (int j = 0; j < picked.Count; j++)
        {
            data.RowReadOnly(picked[j]).CopyTo(m.Row(j));
        }

        return m;
    }

    /// <summary>Publishes <paramref name="rows"/> with `clipguard publish` as ids r{firstId}, r{firstId + 1}, ... from four crawler sources.</summary>
    public static async Task PublishAsync(string dir, string bootstrap, Matrix<float> rows, int firstId = 0)
    {
        string x = Path.Combine(dir, "x.npy"), ids = Path.Combine(dir, "ids.txt"), sources = Path.Combine(dir, "sources.txt");
        Npy.Write(x, rows);
        await File.WriteAllLinesAsync(ids, Enumerable.Range(firstId, rows.Rows).Select(Id), TestContext.Current.CancellationToken);
        await File.WriteAllLinesAsync(sources, Enumerable.Range(firstId, rows.Rows).Select(i => $"crawler-{i % 4}"), TestContext.Current.CancellationToken);
        CliResult r = await CliProcess.RunAsync(["publish", "--embeddings", x, "--ids", ids, "--sources", sources, "--bootstrap", bootstrap], TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        Assert.True(r.ExitCode == 0, r.StandardError);
    }

    public static string Id(int i) => "r" + i.ToString(CultureInfo.InvariantCulture);

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
