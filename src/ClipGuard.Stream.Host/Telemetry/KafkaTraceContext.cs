using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using OpenTelemetry.Context.Propagation;

namespace ClipGuard.Stream.Host.Telemetry;

/// <summary>
/// W3C TraceContext (<c>traceparent</c>, <c>tracestate</c>) in Kafka headers. The propagator is fixed rather than
/// the SDK's global default so that extraction works the same with or without an exporter configured.
/// </summary>
internal static class KafkaTraceContext
{
    private static readonly TraceContextPropagator Propagator = new();

    /// <summary>The context the producer of a message put in its headers; default when there is none.</summary>
    public static ActivityContext Extract(Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return default;
        }

        PropagationContext parent = Propagator.Extract(default, headers, Read);
        return parent.ActivityContext;
    }

    /// <summary>Replaces the trace headers copied from the input with the route span's context, so the next consumer
    /// continues this trace. Without a span (no tracing configured) the input's headers travel on untouched.</summary>
    public static void Inject(Activity? span, Headers headers)
    {
        if (span is null)
        {
            return;
        }

        headers.Remove("traceparent");
        headers.Remove("tracestate");
        Propagator.Inject(new PropagationContext(span.Context, default), headers, (h, key, value) => h.Add(key, Encoding.UTF8.GetBytes(value)));
    }

    private static IEnumerable<string> Read(Headers headers, string key)
    {
        foreach (IHeader h in headers)
        {
            if (string.Equals(h.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                yield return Encoding.UTF8.GetString(h.GetValueBytes());
            }
        }
    }
}
