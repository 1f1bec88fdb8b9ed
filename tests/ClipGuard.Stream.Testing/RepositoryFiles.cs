namespace ClipGuard.Stream.Testing;

/// <summary>Files of the repository the tests run from (found by walking up to ClipGuard.Stream.sln).</summary>
public static class RepositoryFiles
{
    /// <summary>The directory holding ClipGuard.Stream.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path relative to the root, written with forward slashes.</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClipGuard.Stream.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no ClipGuard.Stream.sln above {AppContext.BaseDirectory}");
    }
}
