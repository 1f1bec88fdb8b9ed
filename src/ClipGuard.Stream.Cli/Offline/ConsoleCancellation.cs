namespace ClipGuard.Stream.Cli.Offline;

/// <summary>Ctrl+C cancels <see cref="Token"/> instead of killing the process, until disposed: the offline verbs then
/// stop cleanly and report what they finished.</summary>
internal sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly ConsoleCancelEventHandler _onCancel;

    public ConsoleCancellation()
    {
        _onCancel = (_, e) =>
        {
            e.Cancel = true;
            _source.Cancel();
        };
        Console.CancelKeyPress += _onCancel;
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= _onCancel;
        _source.Dispose();
    }
}
