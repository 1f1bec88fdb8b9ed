using ClipGuard.Stream.Host.Hosting;
using ClipGuard.Stream.Host.Stages;
using Microsoft.Extensions.Hosting;

namespace ClipGuard.Stream.Host.Worker;

/// <summary>Owns the stream loop's thread; the work itself is <see cref="StreamPipeline"/>.</summary>
internal sealed class StreamWorker(StreamReady ready, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Set by the bootstrapper, which the host started (and finished) before this worker.
        StreamPipeline pipeline = await ready.Pipeline.WaitAsync(stoppingToken).ConfigureAwait(false);
        await Task.Factory.StartNew(
            () =>
            {
                try
                {
                    pipeline.Run(stoppingToken);
                }
                catch (Exception)
                {
                    // A batch that could not be routed was not committed: stop with a failure exit code and let the
                    // supervisor restart the service, which consumes that batch again.
                    Environment.ExitCode = 1;
                    lifetime.StopApplication();
                    throw;
                }
            },
            stoppingToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
    }
}
