using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClipGuard.Stream.DevBroker;

/// <summary>
/// A real, throw-away <c>redis-server</c> on a free loopback port, with no persistence: the ledger of the demo and
/// the stream benchmark, and of the integration tests. <see cref="StopAsync"/> and <see cref="RestartAsync"/> keep
/// the port, so clients configured once see an outage and a recovery. Set <c>CLIPGUARD_REDIS_SERVER</c> to use
/// another binary than <see cref="DefaultExecutable"/>.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable, IDisposable
{
    public const string DefaultExecutable = "/usr/bin/redis-server";
    public const string ExecutableVariable = "CLIPGUARD_REDIS_SERVER";

    private const string SetSid = "/usr/bin/setsid";
    private const int MaxOutputChars = 16_000;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly string _executable;
    private readonly bool _ownSession;
    private readonly string? _appendOnlyDirectory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private RedisServerProcess(string executable, int port, bool ownSession, string? appendOnlyDirectory)
    {
        _executable = executable;
        _ownSession = ownSession && File.Exists(SetSid);
        _appendOnlyDirectory = appendOnlyDirectory;
        Port = port;
    }

    public int Port { get; }

    public string EndPoint => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A StackExchange.Redis configuration string that survives this server being stopped.</summary>
    public string Configuration => EndPoint + ",abortConnect=false";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's process id while it runs (a benchmark reads its CPU time); null otherwise.</summary>
    public int? ProcessId => IsRunning ? _process!.Id : null;

    /// <summary>Starts a server on a free port and returns once it answers PING.</summary>
    /// <exception cref="InvalidOperationException">redis-server is not installed, or did not come up.</exception>
    public static Task<RedisServerProcess> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(DefaultOrConfiguredExecutable(), cancellationToken);

    private static string DefaultOrConfiguredExecutable() =>
        Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } custom ? custom : DefaultExecutable;

    /// <summary>
    /// Like <see cref="StartAsync(CancellationToken)"/>, with the append-only file on (fsync on every write) in
    /// <paramref name="directory"/>, as a deployment that must keep its ledger runs Redis: a <see cref="RestartAsync"/>
    /// then comes back with everything acknowledged before it.
    /// </summary>
    public static Task<RedisServerProcess> StartPersistentAsync(string directory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        return StartAsync(DefaultOrConfiguredExecutable(), ownSession: false, cancellationToken, appendOnlyDirectory: directory);
    }

    /// <summary>The redis-server on PATH (or Debian's /usr/bin one), or null when none is installed.</summary>
    public static string? FindExecutable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// For a command-line tool that runs without Redis when none is installed: starts the redis-server on PATH in a
    /// session of its own, so a Ctrl-C at the terminal reaches only the tool, which then stops what runs on the ledger
    /// before the ledger. Null, with <paramref name="why"/>, when none is installed or it does not come up.
    /// </summary>
    public static RedisServerProcess? TryStart(out string why)
    {
        if (FindExecutable() is not { } executable)
        {
            why = "redis-server is not installed";
            return null;
        }

        try
        {
            RedisServerProcess server = StartAsync(executable, ownSession: true).GetAwaiter().GetResult();
            why = string.Empty;
            return server;
        }
        catch (InvalidOperationException e)
        {
            why = e.Message;
            return null;
        }
    }

    /// <inheritdoc cref="StartAsync(CancellationToken)"/>
    public static Task<RedisServerProcess> StartAsync(string executable, CancellationToken cancellationToken = default) =>
        StartAsync(executable, ownSession: false, cancellationToken);

    private static async Task<RedisServerProcess> StartAsync(string executable, bool ownSession, CancellationToken cancellationToken = default, string? appendOnlyDirectory = null)
    {
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"{executable} not found: the Redis integration tests need a real redis-server. Install it with "
                + "`sudo apt-get install -y redis-server` (scripts/install-deps.sh test does this), "
                + $"or point {ExecutableVariable} at one.");
        }

        // A port picked free can be taken before the server binds it; a few tries make that race harmless.
        for (int attempt = 1; ; attempt++)
        {
            var server = new RedisServerProcess(executable, FreePorts.FindConsecutive(1), ownSession, appendOnlyDirectory);
            try
            {
                await server.LaunchAsync(cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Kills the server (SIGKILL, like a crash) and waits until it is gone; the port stays reserved for <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().ConfigureAwait(false);
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>Stops the server if it runs and starts a fresh, empty one on the same port.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync().ConfigureAwait(false);
        await LaunchAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public void Dispose() => StopAsync().GetAwaiter().GetResult();

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        // setsid execs in place: the process id stays the one to kill.
        var info = new ProcessStartInfo(_ownSession ? SetSid : _executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (_ownSession)
        {
            info.ArgumentList.Add(_executable);
        }

        foreach (string arg in new[]
        {
            "--bind", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--save", string.Empty, "--daemonize", "no",
        })
        {
            info.ArgumentList.Add(arg);
        }

        string[] persistence = _appendOnlyDirectory is { } dir
            ? ["--appendonly", "yes", "--appendfsync", "always", "--dir", dir]
            : ["--appendonly", "no"];
        foreach (string arg in persistence)
        {
            info.ArgumentList.Add(arg);
        }

        lock (_output)
        {
            _output.Clear();
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"redis-server on port {Port} exited with code {process.ExitCode} before answering PING:\n{Output()}");
            }

            if (await AnswersPingAsync(timeout.Token).ConfigureAwait(false))
            {
                return;
            }

            try
            {
                await Task.Delay(50, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await StopAsync().ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"redis-server on port {Port} did not answer PING within {StartTimeout.TotalSeconds} s:\n{Output()}");
            }
        }
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            var buffer = new byte[64];
            int read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < MaxOutputChars)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
