using ClipGuard.Stream.Core.Pipeline;

namespace ClipGuard.Stream.Testing.Fakes;

/// <summary>Verdicts for stage tests: only the sample id and the route matter to the stages after the scorer.</summary>
public static class TestVerdicts
{
    public static Verdict Of(string id, Route route) =>
        new(id, route, route == Route.Quarantine ? 9.5 : 1.0, "dao", 4, 100, 1, "precomputed", 3.0, "test", ["n1"], [0.5]);
}
