namespace ClipGuard.Stream.Embedding.Config;

/// <summary>A model config that is malformed or asks for an architecture option this implementation lacks.</summary>
public sealed class ModelConfigException : Exception
{
    public ModelConfigException(string message) : base(message) { }
    public ModelConfigException(string message, Exception inner) : base(message, inner) { }
    public ModelConfigException() { }
}
