namespace ClipGuard.Stream.Core.IO;

/// <summary>
/// A snapshot or index file that must not be loaded: truncated, failing its checksum, of another format or version.
/// Thrown before anything is half-loaded; <see cref="Problem"/> names what was found.
/// </summary>
public sealed class SnapshotCorruptException : IOException
{
    public SnapshotCorruptException()
    {
        Path = string.Empty;
        Problem = string.Empty;
    }

    public SnapshotCorruptException(string message)
        : base(message)
    {
        Path = string.Empty;
        Problem = message;
    }

    public SnapshotCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
        Problem = message;
    }

    public SnapshotCorruptException(string path, string problem, Exception? innerException = null)
        : base($"snapshot '{path}' is unusable: {problem}", innerException)
    {
        Path = path;
        Problem = problem;
    }

    public string Path { get; }

    public string Problem { get; }
}
