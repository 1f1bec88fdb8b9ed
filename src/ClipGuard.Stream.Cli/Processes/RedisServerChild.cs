using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ClipGuard.Stream.Cli.Processes;

/// <summary>
/// A throw-away redis-server (no persistence) on a free loopback port, owned by this process: the demo's and the
/// stream benchmark's ledger. Killed on dispose.
/// </summary>
internal sealed class RedisServerChild : IDisposable
{
    private const string SetSid = "/usr/bin/setsid";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;

    private RedisServerChild(Process process, int port)
    {
        _process = process;
        Configuration = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)},abortConnect=false";
    }

    /// <summary>The StackExchange.Redis configuration string that reaches it.</summary>
    public string Configuration { get; }

    /// <summary>The redis-server on PATH (or Debian's /usr/bin one), or null when none is installed.</summary>
    public static string? FindExecutable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);

    /// <summary>Starts one and waits until it accepts connections; null, with <paramref name="why"/>, when it cannot.</summary>
    public static RedisServerChild? TryStart(out string why)
    {
        string? executable = FindExecutable();
        if (executable is null)
        {
            why = "redis-server is not installed";
            return null;
        }

        int port = FreePort();
        // In a session of its own, so a Ctrl-C at the terminal reaches only this process, which then stops the
        // service before the ledger under it (setsid execs in place: the process id stays the one to kill).
        bool ownSession = File.Exists(SetSid);
        var info = new ProcessStartInfo(ownSession ? SetSid : executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (ownSession)
        {
            info.ArgumentList.Add(executable);
        }

        foreach (string a in new[] { "--bind", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no" })
        {
            info.ArgumentList.Add(a);
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new RedisServerChild(process, port);
        var waited = Stopwatch.StartNew();
        while (!process.HasExited && waited.Elapsed < ReadyTimeout)
        {
            if (Accepts(port))
            {
                why = string.Empty;
                return child;
            }

            Thread.Sleep(50);
        }

        why = process.HasExited ? $"{executable} exited with code {process.ExitCode}" : $"{executable} did not accept connections within {ReadyTimeout.TotalSeconds:F0} s";
        child.Dispose();
        return null;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
