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
    private readonly Process process;
    private readonly StringBuilder output = new();

    public ChildProcess(ProcessStartInfo info, bool captureStdout = true)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.RedirectStandardError = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start");
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginErrorReadLine();
        if (captureStdout)
        {
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
        }
    }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public StreamReader StandardOutput => process.StandardOutput;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>The last lines of output, for an error message.</summary>
    public string Tail(int lines = 15) => string.Join('\n', Output.Split('\n').TakeLast(lines));

    /// <summary>SIGTERM, then waits; kills past <paramref name="grace"/>. Returns the exit code.</summary>
    public int Stop(TimeSpan grace)
    {
        if (!process.HasExited)
        {
            _ = Kill(process.Id, SigTerm);
            if (!process.WaitForExit(grace))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }

        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
