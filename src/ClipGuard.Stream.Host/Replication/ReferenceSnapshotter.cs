using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Index.Persistence;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Replication;

/// <summary>
/// Periodic snapshots of the reference. The state is copied on the stream thread between batches (so it is one
/// consistent version and log position) and written on a pool thread, one save at a time, so the stream does not wait
/// for the disk. A process killed mid-write leaves the previous generation, which the next start restores.
/// </summary>
internal sealed class ReferenceSnapshotter(ReferenceSnapshotStore store, TimeSpan interval, TimeProvider time, ILogger log)
{
    private long _lastSave = time.GetTimestamp();
    private long _lastSavedPosition = -1;
    private long _lastSavedVersion = -1;
    private Task _inFlight = Task.CompletedTask;

    public string Path => store.Path;

    /// <summary>Starts a save when the interval has passed, the previous save is done, and the reference changed.</summary>
    public void MaybeSave(ReferenceSet<float> reference)
    {
        if (!_inFlight.IsCompleted || time.GetElapsedTime(_lastSave) < interval || Unchanged(reference))
        {
            return;
        }

        _lastSave = time.GetTimestamp();
        ReferenceSetState<float> state = Export(reference);
        _inFlight = Task.Run(() => Save(state));
    }

    /// <summary>A final snapshot on a clean stop (after any save in flight).</summary>
    public void SaveNow(ReferenceSet<float> reference)
    {
        _inFlight.GetAwaiter().GetResult();
        if (!Unchanged(reference))
        {
            Save(Export(reference));
        }
    }

    private bool Unchanged(ReferenceSet<float> reference) =>
        reference.LogPosition == _lastSavedPosition && reference.Version == _lastSavedVersion;

    private ReferenceSetState<float> Export(ReferenceSet<float> reference)
    {
        _lastSavedPosition = reference.LogPosition;
        _lastSavedVersion = reference.Version;
        return reference.ExportState();
    }

    private void Save(ReferenceSetState<float> state)
    {
        try
        {
            store.Save(state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The previous generation is still on disk; the next interval tries again.
            _lastSavedPosition = -1;
            Log.SnapshotFailed(log, $"{store.Path}: {e.Message}");
        }
    }
}
