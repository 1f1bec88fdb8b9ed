using System.Diagnostics;
using System.Text;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Host.Tests.Worker;

/// <summary>`clipguard run` as a real child process, killed (SIGKILL) or stopped (SIGTERM) like a deployment would be.</summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public static ServiceProcess Start(IEnumerable<string> args)
    {
        ProcessStartInfo info = CliProcess.StartInfo(["run", .. args]);
        return new ServiceProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>
    /// `run` with the same flags, from the test service (tests/ClipGuard.Stream.Host.TestService), whose full re-score
    /// plants a drift before this replica's first re-score (which must report and repair it).
    /// </summary>
    public static ServiceProcess StartWithPlantedDrift(IEnumerable<string> args)
    {
        ProcessStartInfo info = CliProcess.StartInfo(["run", .. args]);
        info.ArgumentList[0] = Path.Combine(AppContext.BaseDirectory, "ClipGuard.Stream.Host.TestService.dll");
        return new ServiceProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    public void Kill()
    {
        PosixSignals.Send(_process.Id, PosixSignals.SigKill);
        _process.WaitForExit();
    }

    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            PosixSignals.Send(_process.Id, PosixSignals.SigTerm);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException("clipguard run did not stop within 30 s of SIGTERM:\n" + Output);
            }
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
