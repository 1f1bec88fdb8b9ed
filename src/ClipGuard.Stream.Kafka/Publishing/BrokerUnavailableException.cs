namespace ClipGuard.Stream.Kafka.Publishing;

/// <summary>The brokers did not answer a publisher in time: nothing (or not everything) could be published.</summary>
public sealed class BrokerUnavailableException : Exception
{
    public BrokerUnavailableException(string message)
        : base(message)
    {
    }

    public BrokerUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
