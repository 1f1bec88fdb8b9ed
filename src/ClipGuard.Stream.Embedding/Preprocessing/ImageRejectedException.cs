namespace ClipGuard.Stream.Embedding.Preprocessing;

/// <summary>An image that cannot be embedded; <see cref="Reason"/> is what the stream writes into the dead letter.</summary>
public sealed class ImageRejectedException : Exception
{
    public ImageRejectedException(ImageRejectReason reason, string message) : base(message) => Reason = reason;

    public ImageRejectedException() : this(ImageRejectReason.Corrupt, "image rejected") { }

    public ImageRejectedException(string message) : this(ImageRejectReason.Corrupt, message) { }

    public ImageRejectedException(string message, Exception inner) : base(message, inner) => Reason = ImageRejectReason.Corrupt;

    public ImageRejectReason Reason { get; }
}
