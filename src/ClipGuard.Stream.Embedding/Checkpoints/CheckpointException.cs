namespace ClipGuard.Stream.Embedding.Checkpoints;

/// <summary>A checkpoint that cannot be read or does not match the model; the message names the offending key.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string message) : base(message) { }
    public CheckpointException(string message, Exception inner) : base(message, inner) { }
    public CheckpointException() { }
}
