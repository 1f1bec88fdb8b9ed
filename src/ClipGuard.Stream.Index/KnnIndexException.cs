namespace ClipGuard.Stream.Index;

/// <summary>A k-NN backend refused an operation; for FAISS the message carries the native library's own text.</summary>
public sealed class KnnIndexException : Exception
{
    public KnnIndexException()
    {
    }

    public KnnIndexException(string message)
        : base(message)
    {
    }

    public KnnIndexException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
