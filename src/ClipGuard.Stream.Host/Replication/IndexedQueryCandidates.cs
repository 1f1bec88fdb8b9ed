using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Index;

namespace ClipGuard.Stream.Host.Replication;

/// <summary>
/// Puts a configured <see cref="IKnnIndex"/> (FAISS flat, IVF-flat, HNSW) behind the reference model's query search.
/// Each point gets a fresh index id (a reused slot is a new id: HNSW cannot overwrite a removed id cheaply), and
/// additions are buffered until the next search, so an IVF index trains on the whole first batch, not on one point.
/// </summary>
internal sealed class IndexedQueryCandidates(IKnnIndex index) : IQueryCandidates<float>, IDisposable
{
    private readonly Dictionary<int, long> _idOfSlot = [];
    private readonly Dictionary<long, int> _slotOfId = [];
    private readonly List<(long Id, float[] Vector)> _pending = [];
    private long _nextId;

    public KnnBackend Backend => index.Backend;

    public void Added(int slot, ReadOnlySpan<float> vector)
    {
        long id = _nextId++;
        _idOfSlot[slot] = id;
        _slotOfId[id] = slot;
        _pending.Add((id, vector.ToArray()));
    }

    public void Removed(int slot)
    {
        if (!_idOfSlot.Remove(slot, out long id))
        {
            return;
        }

        _slotOfId.Remove(id);
        if (_pending.RemoveAll(p => p.Id == id) == 0)
        {
            index.Remove([id]);
        }
    }

    public int[][] Search(ReadOnlySpan<float> rows, int k)
    {
        Flush();
        int d = index.Dimension;
        int queries = rows.Length / d;
        KnnResult found = index.Search(rows, k);
        var result = new int[queries][];
        for (int i = 0; i < queries; i++)
        {
            ReadOnlySpan<long> ids = found.IdsOf(i);
            result[i] = new int[ids.Length];
            for (int j = 0; j < ids.Length; j++)
            {
                result[i][j] = ids[j] >= 0 && _slotOfId.TryGetValue(ids[j], out int slot) ? slot : -1;
            }
        }

        return result;
    }

    public void Dispose() => index.Dispose();

    private void Flush()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        int d = index.Dimension;
        var ids = new long[_pending.Count];
        var vectors = new float[_pending.Count * d];
        for (int i = 0; i < _pending.Count; i++)
        {
            ids[i] = _pending[i].Id;
            _pending[i].Vector.CopyTo(vectors, i * d);
        }

        index.Add(ids, vectors);
        _pending.Clear();
    }
}
