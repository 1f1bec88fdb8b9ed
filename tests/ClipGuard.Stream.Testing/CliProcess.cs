using System.Diagnostics;

namespace ClipGuard.Stream.Testing;

/// <summary>Runs the built <c>clipguard</c> CLI as a real child process, the way users and scripts do.</summary>
public static class CliProcess
{
    /// <summary>Set to a clipguard.dll to test a build other than the one next to the test assembly.</summary>
    public const string DllVariable = "CLIPGUARD_CLI_DLL";

    public static string DllPath
    {
        get
        {
            string path = Environment.GetEnvironmentVariable(DllVariable) is { Length: > 0 } overridden
                ? overridden
                : Path.Combine(AppContext.BaseDirectory, "clipguard.dll");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"clipguard.dll not found at {path}: reference ClipGuard.Stream.Testing (which references the CLI) or set {DllVariable}", path);
            }

            return path;
        }
    }

    /// <summary>A start description for <c>dotnet clipguard.dll args...</c> with every stream redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return info;
    }

    /// <summary>Runs a verb to completion and returns its exit code and output; kills it if it outlives <paramref name="timeout"/>.</summary>
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, TimeSpan timeout, CancellationToken cancel = default)
    {
        using var process = Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancel);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancel);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw new TimeoutException($"clipguard {string.Join(' ', args)} ran past {timeout}; stderr: {await stderr.ConfigureAwait(false)}");
        }

        return new CliResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
