namespace ClipGuard.Stream.Core.IO;

/// <summary>A file is not a .npy array this program can use; the message is one line naming the file and the problem.</summary>
public sealed class NpyFormatException : Exception
{
    public NpyFormatException()
    {
    }

    public NpyFormatException(string message)
        : base(message)
    {
    }

    public NpyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static NpyFormatException For(string path, string problem, Exception? inner = null)
    {
        string message = $"{path}: {problem}";
        return inner is null ? new NpyFormatException(message) : new NpyFormatException(message, inner);
    }
}
