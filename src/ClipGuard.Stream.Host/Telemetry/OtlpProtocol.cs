namespace ClipGuard.Stream.Host.Telemetry;

/// <summary>The OTLP transports the collector listens on.</summary>
public enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
}
