using System.Diagnostics;

namespace ClipGuard.Stream.Host.Tests.Telemetry;

/// <summary>Debian's promtool (package prometheus, installed by scripts/install-deps.sh test).</summary>
internal static class Promtool
{
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args, string? stdin = null)
    {
        var info = new ProcessStartInfo("promtool")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("promtool did not start (apt-get install prometheus)");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
