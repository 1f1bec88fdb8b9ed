using System.Numerics;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Reference;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClipGuard.Stream.Index.Persistence;

/// <summary>
/// Keeps the reference set's snapshots at one path with one previous generation beside it (<c>path.prev</c>). Saving
/// moves the current file to <c>.prev</c>, then writes the new one atomically; loading takes the current file and falls
/// back to <c>.prev</c> when the current one is missing (a crash between the two steps) or unusable, logging which
/// snapshot it restored and why it skipped any. A restart therefore always comes back to the last good snapshot.
/// </summary>
public sealed class ReferenceSnapshotStore(string path, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string PreviousPath => Path + ".prev";

    public void Save<T>(ReferenceSet<T> set)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Save(set.ExportState());

    public void Save<T>(ReferenceSetState<T> state)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // A writer killed mid-save leaves its temporary sibling behind; this store is the path's only writer.
        foreach (string stale in Directory.EnumerateFiles(System.IO.Path.GetDirectoryName(Path)!, System.IO.Path.GetFileName(Path) + ".tmp-*"))
        {
            File.Delete(stale);
        }

        if (File.Exists(Path))
        {
            File.Move(Path, PreviousPath, overwrite: true);
        }

        ReferenceSnapshot.Write(Path, state);
        Log.SnapshotSaved(_logger, Path, state.Version, state.Members.Count);
    }

    /// <summary>The newest usable snapshot restored into a set, or null when none exists (a first start).</summary>
    public ReferenceSet<T>? LoadLatest<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach (string candidate in new[] { Path, PreviousPath })
        {
            if (!File.Exists(candidate))
            {
                continue;
            }

            ReferenceSetState<T> state;
            try
            {
                state = ReferenceSnapshot.Read<T>(candidate);
            }
            catch (SnapshotCorruptException e)
            {
                Log.SnapshotUnusable(_logger, candidate, e.Problem);
                continue;
            }

            ReferenceSet<T> set = ReferenceSet<T>.Restore(state);
            Log.SnapshotRestored(_logger, candidate, state.Version, state.Members.Count, state.HoldBack.Count);
            return set;
        }

        Log.NoSnapshot(_logger, Path);
        return null;
    }
}
