using System.Diagnostics;
using ClipGuard.Stream.Bench;

namespace ClipGuard.Stream.Cli.Tests.Bench;

/// <summary>The stream benchmark's stage split, read from the service's Prometheus text exposition, and its CPU reading.</summary>
public sealed class StageSplitTests
{
    private const string Exposition = """
        # TYPE clipguard_stage_duration_seconds histogram
        # HELP clipguard_stage_duration_seconds Time spent per batch in each pipeline stage
        clipguard_stage_duration_seconds_bucket{otel_scope_name="ClipGuard.Stream",stage="parse",le="0.005"} 40 1764806400000
        clipguard_stage_duration_seconds_bucket{otel_scope_name="ClipGuard.Stream",stage="parse",le="+Inf"} 42 1764806400000
        clipguard_stage_duration_seconds_sum{otel_scope_name="ClipGuard.Stream",stage="parse"} 0.125 1764806400000
        clipguard_stage_duration_seconds_count{otel_scope_name="ClipGuard.Stream",stage="parse"} 42 1764806400000
        clipguard_stage_duration_seconds_sum{otel_scope_name="ClipGuard.Stream",stage="score"} 12.5
        clipguard_stage_duration_seconds_count{otel_scope_name="ClipGuard.Stream",stage="score"} 40
        clipguard_stage_duration_seconds_sum{otel_scope_name="ClipGuard.Stream",stage="produce"} 3.5e-1
        clipguard_other_seconds_sum{stage="commit"} 9
        clipguard_stage_duration_seconds_count{otel_scope_name="ClipGuard.Stream",stage="commit"} 7
        """;

    [Fact]
    public void StagesWithASumAndACountAreRead()
    {
        IReadOnlyList<StageTotal> stages = StageSplit.Parse(Exposition);

        // produce has no count and commit no sum (the other metric's sum is not the stage histogram's): both left out.
        Assert.Equal([new StageTotal("parse", 0.125, 42), new StageTotal("score", 12.5, 40)], stages);
        Assert.Equal(312.5, stages[1].MillisecondsPerBatch, 9);
        Assert.True(double.IsNaN(new StageTotal("x", 1, 0).MillisecondsPerBatch));
        Assert.Empty(StageSplit.Parse("# nothing scraped\n"));
    }

    [Fact]
    public void AnUnlabelledGaugeIsReadWithOrWithoutTheScopeLabelAndNaNWhenAbsent()
    {
        const string exposition = """
            # TYPE clipguard_memory_managed_heap_bytes gauge
            clipguard_memory_managed_heap_bytes{otel_scope_name="ClipGuard.Stream"} 2.5e8 1764806400000
            clipguard_memory_managed_committed_bytes 3.0E8
            clipguard_memory_managed_heap_bytes_other 7
            """;

        Assert.Equal(2.5e8, StageSplit.Gauge(exposition, "clipguard_memory_managed_heap_bytes"));
        Assert.Equal(3.0e8, StageSplit.Gauge(exposition, "clipguard_memory_managed_committed_bytes"));
        Assert.True(double.IsNaN(StageSplit.Gauge(exposition, "clipguard_memory_managed")));
        Assert.True(double.IsNaN(StageSplit.Gauge(Exposition, "clipguard_memory_managed_heap_bytes")));
    }

    [Fact]
    public void ProcessCpuIsReadForALiveProcessAndNaNForOneThatDoesNotExist()
    {
        using Process self = Process.GetCurrentProcess();
        double read = StageSplit.ProcessCpuSeconds(self.Id);
        double fromRuntime = self.TotalProcessorTime.TotalSeconds;

        Assert.InRange(read, 0.01, fromRuntime + 0.05);
        Assert.True(double.IsNaN(StageSplit.ProcessCpuSeconds(int.MaxValue)));
    }

    [Fact]
    public void ProcessMemoryIsReadForALiveProcessAndNaNForOneThatDoesNotExist()
    {
        var ballast = new byte[64 << 20];
        Array.Fill(ballast, (byte)1);
        (double resident, double peak) = StageSplit.ProcessMemory(Environment.ProcessId);
        GC.KeepAlive(ballast);

        // 64 MiB were just touched: the process is at least that large, and its peak is at least its present size.
        Assert.InRange(resident, 64, 1 << 20);
        Assert.True(peak >= resident, $"peak {peak} MiB below resident {resident} MiB");
        Assert.True(double.IsNaN(StageSplit.ProcessMemory(int.MaxValue).ResidentMib));
    }
}
