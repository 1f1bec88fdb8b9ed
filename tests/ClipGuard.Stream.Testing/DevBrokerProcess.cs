using System.Diagnostics;
using System.Text;

namespace ClipGuard.Stream.Testing;

/// <summary>A <c>clipguard dev-broker</c> child process for integration tests. Started with
/// <c>--stop-on-stdin-eof</c> and a piped stdin, so even a test host that dies without cleaning up takes the broker
/// with it; disposing stops it with SIGTERM and kills it if it does not exit in time.</summary>
public sealed class DevBrokerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StringBuilder _stderr;
    private readonly Task _stderrPump;

    private DevBrokerProcess(Process process, string bootstrap, StringBuilder stderr, Task stderrPump)
    {
        _process = process;
        BootstrapServers = bootstrap;
        _stderr = stderr;
        _stderrPump = stderrPump;
    }

    public string BootstrapServers { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the broker has logged so far (librdkafka and ClipGuard lines), for failure messages.</summary>
    public string StandardError => Snapshot(_stderr);

    /// <summary>Starts <c>clipguard dev-broker</c> with <paramref name="args"/> and waits for its BOOTSTRAP line.</summary>
    public static async Task<DevBrokerProcess> StartAsync(IEnumerable<string>? args = null, TimeSpan? startTimeout = null)
    {
        var all = new List<string> { "dev-broker", "--stop-on-stdin-eof" };
        all.AddRange(args ?? []);
        Process process = Process.Start(CliProcess.StartInfo(all)) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StringBuilder();
        Task pump = PumpAsync(process.StandardError, log);
        using var deadline = new CancellationTokenSource(startTimeout ?? TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                string? line = await process.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(false);
                if (line is null)
                {
                    await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
                    await pump.ConfigureAwait(false);
                    throw new InvalidOperationException($"dev-broker exited with {process.ExitCode} before printing BOOTSTRAP: {Snapshot(log)}");
                }

                if (line.StartsWith("BOOTSTRAP=", StringComparison.Ordinal))
                {
                    return new DevBrokerProcess(process, line["BOOTSTRAP=".Length..], log, pump);
                }
            }
        }
        catch
        {
            KillQuietly(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code. Kills (and throws) past the grace period.</summary>
    public async Task<int> StopAsync(TimeSpan? grace = null)
    {
        if (!_process.HasExited)
        {
            PosixSignals.Send(_process.Id, PosixSignals.SigTerm);
        }

        return await WaitOrKillAsync(grace ?? StopGrace, "SIGTERM").ConfigureAwait(false);
    }

    /// <summary>Closes the broker's stdin (what a dying parent does) and waits for the exit.</summary>
    public async Task<int> CloseInputAsync(TimeSpan? grace = null)
    {
        _process.StandardInput.Close();
        return await WaitOrKillAsync(grace ?? StopGrace, "end of stdin").ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await StopAsync().ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            // Already killed by WaitOrKillAsync; disposal must not throw over the test's own failure.
        }
        finally
        {
            KillQuietly(_process);
            _process.Dispose();
        }
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (sink)
            {
                sink.AppendLine(line);
            }
        }
    }

    private static string Snapshot(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
            // The process ended between the check and the kill.
        }
    }

    private async Task<int> WaitOrKillAsync(TimeSpan grace, string how)
    {
        using var deadline = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillQuietly(_process);
            throw new TimeoutException($"dev-broker did not exit within {grace} of {how}; stderr: {StandardError}");
        }

        await _stderrPump.ConfigureAwait(false);
        return _process.ExitCode;
    }
}
