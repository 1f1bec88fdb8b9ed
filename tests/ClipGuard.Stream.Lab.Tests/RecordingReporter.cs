namespace ClipGuard.Stream.Lab.Tests;

/// <summary>Keeps the lab's info lines (assertions read them) and ignores progress.</summary>
internal sealed class RecordingReporter : ILabReporter
{
    public List<string> Lines { get; } = [];

    public void Progress(string stage, long done, long total, string? detail = null)
    {
    }

    public void Info(string line)
    {
        lock (Lines)
        {
            Lines.Add(line);
        }
    }
}
