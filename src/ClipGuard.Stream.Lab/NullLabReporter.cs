namespace ClipGuard.Stream.Lab;

/// <summary>A reporter that shows nothing: for callers that run a lab stage as a step of their own (the demo, tests).</summary>
public sealed class NullLabReporter : ILabReporter
{
    public static readonly NullLabReporter Instance = new();

    private NullLabReporter()
    {
    }

    public void Progress(string stage, long done, long total, string? detail = null)
    {
    }

    public void Info(string line)
    {
    }
}
