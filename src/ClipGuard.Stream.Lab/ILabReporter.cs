namespace ClipGuard.Stream.Lab;

/// <summary>Where the lab's long stages report to; the CLI turns it into progress lines with rate and ETA.</summary>
public interface ILabReporter
{
    /// <summary><paramref name="done"/> of <paramref name="total"/> units of <paramref name="stage"/>; <paramref name="detail"/> e.g. the loss.</summary>
    void Progress(string stage, long done, long total, string? detail = null);

    /// <summary>A result or decision worth a line of its own.</summary>
    void Info(string line);
}
