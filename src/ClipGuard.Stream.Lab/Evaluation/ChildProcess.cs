using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>
/// A <c>clipguard</c> verb (dev-broker, run) as a real child process: output kept for error messages, stopped with
/// SIGTERM like a deployment stops it, killed only if it does not exit in time.
/// </summary>
internal sealed partial class ChildProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public ChildProcess(ProcessStartInfo info, bool captureStdout = true)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.RedirectStandardError = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        _process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start");
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        if (captureStdout)
        {
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public StreamReader StandardOutput => _process.StandardOutput;

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

    /// <summary>The last lines of output, for an error message.</summary>
    public string Tail(int lines = 15) => string.Join('\n', Output.Split('\n').TakeLast(lines));

    /// <summary>SIGTERM, then waits; kills past <paramref name="grace"/>. Returns the exit code.</summary>
    public int Stop(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, SigTerm);
            if (!_process.WaitForExit(grace))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
