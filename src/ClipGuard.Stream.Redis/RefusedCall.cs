namespace ClipGuard.Stream.Redis;

/// <summary>
/// One operator API call that was refused before it could act: who called (client address), what (method and path,
/// never the query string or a header), the status answered and why. The presented token is never recorded.
/// </summary>
public sealed record RefusedCall(DateTimeOffset Time, string Address, string Method, string Path, int Status, string Reason)
{
    /// <summary>Longest path kept; a longer one is cut (the path is the caller's to choose).</summary>
    public const int MaxPathLength = 256;
}
