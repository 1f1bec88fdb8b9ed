namespace ClipGuard.Stream.Embedding.Tests;

internal static class TestPaths
{
    public static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static string Model(string name) => Fixture("models", name + ".json");

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "clipguard-embed-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
