using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Knn;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Bench;

/// <summary>
/// `clipguard bench memory`: what one reference member costs, by component, measured on the real structures: the
/// vector store alone, the density model (store + neighbour lists, reverse lists, per-member scores), the reference
/// set the service seeds (model + ids, sources, arrival order, slot map) and the frozen seed guard the conformal rule
/// keeps beside it. Managed bytes are GC heap deltas after a full blocking collection; resident memory is the
/// process's, before and after the set and its guard were built.
/// </summary>
public sealed class MemoryBenchmark(TextWriter output, TextWriter log)
{
    public int Run(IReadOnlyList<int> sizes, int dim, int k, int threads)
    {
        output.WriteLine(Inv($"Reference memory, d = {dim} float32, k = {k} (each member keeps k + ⌈k/2⌉ neighbours), synthetic clustered rows; bytes per member (managed heap deltas), {Environment.ProcessorCount} cores."));
        output.WriteLine();
        output.WriteLine(Inv($"| members | raw vector | vector store | density state (lists, reverse lists, scores) | reference bookkeeping (ids, sources, arrival, slots) | reference set total | seed guard (a frozen model of at most {StreamScorerOptions.DefaultGuardSize:N0} seed members, the service's default) | set + guard | set + guard / raw | resident growth, set + guard | after an aggressive collection |"));
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int n in sizes)
        {
            output.WriteLine(Row(n, dim, k, threads));
            output.Flush();
        }

        output.WriteLine();
        output.WriteLine("All columns but \"set + guard / raw\" are bytes per member of the reference (the guard's bytes are divided by the reference's members too, so a capped guard's column falls as the reference grows). The two resident columns are the process's resident memory after building the set and the guard minus before, per member: right after the build, and after one `GC.Collect(2, GCCollectionMode.Aggressive)` (which `clipguard run` does once its start-up build is done) has returned the build's transient buffers.");
        return 0;
    }

    private string Row(int n, int dim, int k, int threads)
    {
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(n, dim, clusters: Math.Max(10, n / 500), outlierFraction: 0.01, seed: n);
        // The set and its guard first, from a clean baseline, so the resident growth is theirs. Each phase runs in its
        // own method so nothing it built is still reachable from a live local when the next one measures.
        (long setBytes, long guardBytes, long residentGrowth, long residentAfter) = SetAndGuard(n, dim, k, threads, data);
        long modelBytes = ModelAlone(n, k, threads, data);
        long storeBytes = StoreAlone(n, dim, data);

        double PerMember(long bytes) => (double)bytes / n;
        double raw = dim * sizeof(float);
        return Inv($"| {n:N0} | {raw:F0} | {PerMember(storeBytes):F0} | {PerMember(modelBytes - storeBytes):F0} | {PerMember(setBytes - modelBytes):F0} | {PerMember(setBytes):F0} | {PerMember(guardBytes):F0} | {PerMember(setBytes + guardBytes):F0} | {(setBytes + guardBytes) / (raw * n):F2}× | {PerMember(residentGrowth):F0} | {PerMember(residentAfter):F0} |");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private (long Set, long Guard, long ResidentGrowth, long ResidentAfterAggressive) SetAndGuard(int n, int dim, int k, int threads, Matrix<float> data)
    {
        long baseline = Managed();
        long residentBefore = Resident();
        log.WriteLine(Inv($"bench: {n} members: seeding the reference set (all k-NN)..."));
        ReferenceSet<float> set = SeededSet(n, dim, k, threads, data);
        long setBytes = Managed() - baseline;
        log.WriteLine(Inv($"bench: {n} members: the seed guard (all k-NN again)..."));
        var guard = new SeedGuard(data, k, DistanceMetric.Euclidean, OutlierDetector.Dao, threads, StreamScorerOptions.DefaultGuardSize);
        long guardBytes = Managed() - baseline - setBytes;
        long residentGrowth = Resident() - residentBefore;

        // What the service does once its start-up build is done: the build's transient buffers go back to the OS.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long residentAfter = Resident() - residentBefore;
        GC.KeepAlive(set);
        GC.KeepAlive(guard);
        return (setBytes, guardBytes, residentGrowth, residentAfter);
    }

    /// <summary>A seeded set whose ids and sources exist only in it, as in the service (the lists die here).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ReferenceSet<float> SeededSet(int n, int dim, int k, int threads, Matrix<float> data)
    {
        var ids = Enumerable.Range(0, n).Select(i => "sample-" + i.ToString("D8", CultureInfo.InvariantCulture)).ToList();
        var sources = Enumerable.Range(0, n).Select(i => (string?)("crawler-" + (i % 20).ToString(CultureInfo.InvariantCulture))).ToList();
        var set = new ReferenceSet<float>(dim, new ReferenceSetOptions { Capacity = n, K = k, Threads = threads, MaxSourceShare = 1 });
        set.Seed(ids, sources, data);
        return set;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long ModelAlone(int n, int k, int threads, Matrix<float> data)
    {
        long before = Managed();
        log.WriteLine(Inv($"bench: {n} members: the density model alone (all k-NN a third time)..."));
        (DensityModel<float> model, _) = BatchScorer.Build(data, k, DistanceMetric.Euclidean, threads);
        long bytes = Managed() - before;
        GC.KeepAlive(model);
        return bytes;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long StoreAlone(int n, int dim, Matrix<float> data)
    {
        long before = Managed();
        var store = new VectorStore<float>(dim, n);
        for (int i = 0; i < n; i++)
        {
            store.Add(data.RowReadOnly(i));
        }

        long bytes = Managed() - before;
        GC.KeepAlive(store);
        return bytes;
    }

    private static long Managed()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static long Resident()
    {
        using Process self = Process.GetCurrentProcess();
        self.Refresh();
        return self.WorkingSet64;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
