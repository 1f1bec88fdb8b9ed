using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Testing;

/// <summary>Keeps every formatted log line so tests can check what an operator would read.</summary>
public sealed class RecordingLogger : ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>The event id of every line, in order.</summary>
    public ConcurrentQueue<int> EventIds { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        EventIds.Enqueue(eventId.Id);
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
