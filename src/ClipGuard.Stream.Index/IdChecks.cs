namespace ClipGuard.Stream.Index;

/// <summary>Argument checks shared by every backend, so they all reject the same inputs with the same words.</summary>
internal static class IdChecks
{
    public static void ValidateAdd(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors, int dimension, Func<long, bool> isLive)
    {
        if (vectors.Length != (long)ids.Length * dimension)
        {
            throw new ArgumentException($"{ids.Length} ids need {(long)ids.Length * dimension} floats (dimension {dimension}), got {vectors.Length}", nameof(vectors));
        }

        var seen = new HashSet<long>(ids.Length);
        foreach (long id in ids)
        {
            if (id < 0)
            {
                throw new ArgumentException($"id {id} is negative (−1 marks 'no neighbour' in results)", nameof(ids));
            }

            if (!seen.Add(id) || isLive(id))
            {
                throw new ArgumentException($"id {id} is already in the index", nameof(ids));
            }
        }

        foreach (float v in vectors)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException("vectors hold a NaN or an infinity", nameof(vectors));
            }
        }
    }

    public static int ValidateSearch(ReadOnlySpan<float> queries, int k, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (queries.Length % dimension != 0)
        {
            throw new ArgumentException($"query length {queries.Length} is not a multiple of the dimension {dimension}", nameof(queries));
        }

        return queries.Length / dimension;
    }

    /// <summary>Search options may retune an index only when they describe the same backend and dimension.</summary>
    public static void ValidateTuning(KnnIndexOptions options, KnnBackend backend, int dimension)
    {
        options.Validate();
        if (options.Backend != backend || options.Dimension != dimension)
        {
            throw new ArgumentException($"options for {options.Backend} d={options.Dimension} cannot tune a {backend} d={dimension} index", nameof(options));
        }
    }
}
