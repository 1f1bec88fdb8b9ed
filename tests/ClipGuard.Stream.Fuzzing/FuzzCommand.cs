using SharpFuzz;

namespace ClipGuard.Stream.Fuzzing;

public static class FuzzCommand
{
    /// <summary>Hands the target to SharpFuzz's AFL++ driver; the target runs in a child process, so a crash of the
    /// runtime itself (stack overflow, native fault) is reported to AFL++ as a crash too.</summary>
    public static int Fuzz(FuzzTarget target)
    {
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Run(buffer.ToArray());
        });
        return 0;
    }

    public static int Replay(FuzzTarget target, IReadOnlyList<string> files, TextWriter output)
    {
        int findings = 0;
        foreach (string file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
                output.WriteLine($"ok       {file}");
            }
            catch (Exception e)
            {
                findings++;
                output.WriteLine($"FINDING  {file}: {e.GetType().FullName}: {e.Message}");
                output.WriteLine(e.StackTrace);
            }
        }

        output.WriteLine($"{target.Name}: {files.Count} inputs, {findings} findings");
        return findings == 0 ? 0 : 1;
    }

    public static int List(TextWriter output)
    {
        foreach (var target in FuzzTargets.All)
        {
            output.WriteLine($"{target.Name,-14} {target.Parser}");
        }

        return 0;
    }

    public static int Usage(TextWriter error)
    {
        error.WriteLine("usage: fuzz TARGET | replay TARGET FILE... | seeds DIR | list");
        return 2;
    }
}
