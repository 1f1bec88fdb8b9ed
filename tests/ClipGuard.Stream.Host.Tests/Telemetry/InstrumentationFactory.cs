using System.Diagnostics.Metrics;
using ClipGuard.Stream.Host.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Tests.Telemetry;

/// <summary>A <see cref="ClipGuardInstrumentation"/> on its own meter factory, as the host builds it.</summary>
internal sealed class InstrumentationFactory : IDisposable
{
    private readonly ServiceProvider _services;

    public InstrumentationFactory(TelemetryOptions? options = null)
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Instrumentation = new ClipGuardInstrumentation(_services.GetRequiredService<IMeterFactory>(), Options.Create(options ?? new TelemetryOptions()), TimeProvider.System);
    }

    public ClipGuardInstrumentation Instrumentation { get; }

    /// <summary>Records the measurements of one of this instrumentation's double instruments (not another factory's) until disposed.</summary>
    public RecordedMeasurements Record(string instrument)
    {
        var recorded = new RecordedMeasurements();
        recorded.Listener.InstrumentPublished = EnableOnly(instrument);
        recorded.Listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            lock (recorded.Values)
            {
                recorded.Values.Add((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        recorded.Listener.Start();
        return recorded;
    }

    /// <summary>The current value of one of this instrumentation's observable long instruments (null: nothing observed).</summary>
    public long? Observe(string instrument)
    {
        long? value = null;
        using var listener = new MeterListener { InstrumentPublished = EnableOnly(instrument) };
        listener.SetMeasurementEventCallback<long>((_, v, _, _) => value = v);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }

    /// <summary>A listener's publication callback that enables one of this instrumentation's instruments (not another factory's).</summary>
    private Action<Instrument, MeterListener> EnableOnly(string instrument)
    {
        IMeterFactory factory = _services.GetRequiredService<IMeterFactory>();
        return (i, l) =>
        {
            if (i.Name == instrument && ReferenceEquals(i.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(i);
            }
        };
    }

    /// <summary>Every instrument ClipGuard's meter publishes, as the Prometheus series names it exports.</summary>
    public static IReadOnlyDictionary<string, Instrument> ExportedSeries()
    {
        var instruments = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, _) =>
            {
                if (i.Meter.Name == ClipGuardInstrumentation.MeterName)
                {
                    lock (instruments)
                    {
                        instruments.Add(i);
                    }
                }
            },
        };
        listener.Start();
        using (var factory = new InstrumentationFactory())
        {
            // Instruments are created in the constructor; the listener saw them then.
        }

        var series = new Dictionary<string, Instrument>(StringComparer.Ordinal);
        foreach (Instrument i in instruments)
        {
            foreach (string name in PrometheusNaming.SeriesNames(i.Name, i.Unit, KindOf(i)))
            {
                series[name] = i;
            }
        }

        return series;
    }

    public static InstrumentKind KindOf(Instrument i)
    {
        Type t = i.GetType().IsGenericType ? i.GetType().GetGenericTypeDefinition() : i.GetType();
        if (t == typeof(Counter<>) || t == typeof(ObservableCounter<>))
        {
            return InstrumentKind.Counter;
        }

        return t == typeof(Histogram<>) ? InstrumentKind.Histogram : InstrumentKind.Gauge;
    }

    public void Dispose()
    {
        Instrumentation.Dispose();
        _services.Dispose();
    }
}

/// <summary>Measurements of one instrument: value and tags, in the order recorded.</summary>
internal sealed class RecordedMeasurements : IDisposable
{
    public MeterListener Listener { get; } = new();

    public List<(double Value, Dictionary<string, object?> Tags)> Values { get; } = [];

    public void Dispose() => Listener.Dispose();
}
