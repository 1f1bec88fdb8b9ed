using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Cli.Tests.Bench;

/// <summary>
/// `clipguard bench embed --device cuda` where libtorch sees no GPU (every CI machine): one line naming the reason and
/// the CUDA build, exit 2, no table. On a GPU machine the test is skipped: there the command measures.
/// </summary>
public sealed class EmbeddingBenchmarkTests
{
    [Fact]
    public async Task ACudaRunWithoutACudaDeviceIsRefusedWithTheReason()
    {
        Assert.SkipWhen(TorchSharp.torch.cuda.is_available(), "libtorch sees a CUDA device here");
        CliResult r = await CliProcess.RunAsync(["bench", "embed", "--device", "cuda"], TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("libtorch sees no CUDA device", r.StandardError, StringComparison.Ordinal);
        Assert.Contains("ClipGuardCuda", r.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("| model |", r.StandardOutput, StringComparison.Ordinal);
    }
}
