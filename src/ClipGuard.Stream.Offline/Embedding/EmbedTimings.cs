namespace ClipGuard.Stream.Offline.Embedding;

/// <summary>
/// Where embedding time went, summed over shards: decode is CPU time across all decode workers (so samples per
/// decode-second is the rate of one worker), forward is the model's wall time.
/// </summary>
public sealed class EmbedTimings
{
    private long _decodeTicks, _imageForwardTicks, _textForwardTicks;

    public TimeSpan Decode => TimeSpan.FromTicks(Interlocked.Read(ref _decodeTicks));

    public TimeSpan ImageForward => TimeSpan.FromTicks(Interlocked.Read(ref _imageForwardTicks));

    public TimeSpan TextForward => TimeSpan.FromTicks(Interlocked.Read(ref _textForwardTicks));

    internal void AddDecode(TimeSpan t) => Interlocked.Add(ref _decodeTicks, t.Ticks);

    internal void AddImageForward(TimeSpan t) => Interlocked.Add(ref _imageForwardTicks, t.Ticks);

    internal void AddTextForward(TimeSpan t) => Interlocked.Add(ref _textForwardTicks, t.Ticks);
}
