namespace ClipGuard.Stream.Core.IO;

/// <summary>
/// Replace-by-rename: content goes to a temporary sibling, is fsynced, then renamed over the target, and the directory
/// is fsynced so the rename itself survives a power cut. A crash at any point leaves the old file or the new one.
/// </summary>
public static class AtomicFile
{
    /// <summary>Calls <paramref name="writeTemporary"/> with a temporary path to fill, then makes it <paramref name="path"/>.</summary>
    public static void Write(string path, Action<string> writeTemporary)
    {
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            writeTemporary(temp);
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
            SyncDirectory(Path.GetDirectoryName(full)!);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // .NET cannot open a directory as a FileStream; the syscall wrapper is a few lines of P/Invoke.
        int fd = NativeFile.Open(directory, NativeFile.ReadOnlyDirectory);
        if (fd >= 0)
        {
            _ = NativeFile.Fsync(fd);
            _ = NativeFile.Close(fd);
        }
    }
}
