using System.Runtime.InteropServices;

namespace ClipGuard.Stream.Core.IO;

/// <summary>The libc calls needed to fsync a directory after a rename.</summary>
internal static partial class NativeFile
{
    /// <summary>O_RDONLY | O_DIRECTORY on Linux.</summary>
    public const int ReadOnlyDirectory = 0x10000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);
}
