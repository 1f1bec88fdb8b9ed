using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Offline;

namespace ClipGuard.Stream.Cli.Offline;

/// <summary>Exit codes of the offline verbs and the one place that turns bad input into one line and code 2.</summary>
internal static class OfflineExit
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    /// <summary>No broker answered (publish): nothing was wrong with the input, rerun once the cluster is back.</summary>
    public const int Unavailable = 4;
    public const int Interrupted = 130;

    public static int Guard(string verb, TextWriter stderr, Func<int> work)
    {
        try
        {
            return work();
        }
        catch (Exception e) when (e is OfflineInputException or NpyFormatException or ScoringInputException or CheckpointException or ModelConfigException)
        {
            stderr.WriteLine($"clipguard {verb}: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable input or a full disk: finished shards are intact (atomic writes), the rerun resumes.
            stderr.WriteLine($"clipguard {verb}: I/O error: {e.Message}");
            return Failed;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine($"clipguard {verb}: interrupted; finished shards are kept, run the same command again to resume");
            return Interrupted;
        }
    }
}
