namespace ClipGuard.Stream.Core.Tests;

/// <summary>Paths of the committed oracle files, copied next to the test assembly by the csproj.</summary>
internal static class Fixture
{
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);
}
