namespace ClipGuard.Stream.Host.Tests.Telemetry;

/// <summary>
/// Test classes that export the "ClipGuard.Stream" meter with an in-process MeterProvider. A provider listens to every
/// meter of that name in the process, so an instrumentation another test class routes batches through at the same time
/// adds its points to the export (seen: a source-cap test reading crawler-1 where its own batch named crawler-0).
/// These classes therefore run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeters
{
    public const string Name = "process-wide meter listeners";
}
