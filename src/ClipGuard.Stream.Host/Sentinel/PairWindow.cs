using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Offline.Sentinel;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Sentinel;

/// <summary>
/// The recent window of input pairs, on disk in the sentinel directory (docs/sentinel.md). Every routed sample with
/// an image (clean or quarantined: the sentinel must see a campaign to learn it) is written to this replica's open
/// segment as KEY.ext + KEY.txt with a sidecar line; a full segment moves to <c>window/</c>, where the trainer reads
/// it, and the oldest segments beyond <see cref="SentinelOptions.WindowPairs"/> are deleted. Samples routed clean are
/// also remembered, while their verdict is provisional, for the re-judgement after a model swap; a restart recovers
/// them from this machine's sidecars. Owned by the stream thread.
/// </summary>
internal sealed class PairWindow : IDisposable
{
    /// <summary>Another process's open segment untouched for this long is taken to be left by a dead process and closed.</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(10);

    private readonly SentinelLayout _layout;
    private readonly SentinelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly string _owner = Sanitize(Environment.MachineName);
    private readonly LinkedList<ProvisionalSample> _provisional = new();
    // Samples quarantined (on arrival or by a recall) within the provisional window: the evidence a swap's judgement
    // groups the clean samples with.
    private readonly LinkedList<ProvisionalSample> _quarantined = new();
    private readonly Queue<(string Segment, int Pairs)> _closed = new();
    private string? _open;
    private StreamWriter? _sidecar;
    private int _openPairs;
    private int _closedPairs;

    public PairWindow(SentinelOptions options, TimeProvider time, ILogger log)
    {
        _options = options;
        _time = time;
        _log = log;
        _layout = new SentinelLayout(options.Directory!);
        _layout.Create();
        CloseAbandoned(ownOnly: true);
        foreach (string segment in _layout.StreamSegments())
        {
            int pairs = Directory.EnumerateFiles(segment, "*.txt").Count();
            _closed.Enqueue((segment, pairs));
            _closedPairs += pairs;
            Recover(segment);
        }
    }

    public SentinelLayout Layout => _layout;

    /// <summary>This replica's name in the sentinel directory (its segments and judgement files carry it).</summary>
    public string Owner => _owner;

    /// <summary>Pairs in the closed window plus the open segment.</summary>
    public int Pairs => _closedPairs + _openPairs;

    /// <summary>Samples routed clean whose verdict is still provisional, oldest first.</summary>
    public IReadOnlyList<ProvisionalSample> Provisional()
    {
        Expire();
        return [.. _provisional];
    }

    /// <summary>
    /// Samples quarantined within the provisional window (on arrival, or recalled since), oldest first: a swap's
    /// judgement counts them as evidence when it groups the clean samples into campaigns, and never recalls them.
    /// </summary>
    public IReadOnlyList<ProvisionalSample> Quarantined()
    {
        Expire();
        return [.. _quarantined];
    }

    /// <summary>Writes the batch's routed pairs (with the model label each was judged under).</summary>
    public void Add(IReadOnlyList<(PendingMessage Message, Verdict Verdict)> decided)
    {
        DateTimeOffset now = _time.GetUtcNow();
        foreach ((PendingMessage message, Verdict verdict) in decided)
        {
            if (verdict.Route is not (Route.Clean or Route.Quarantine) || message.Envelope?.Image is not { } image)
            {
                continue;
            }

            string segment = EnsureOpen(now);
            string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message.Sample.Id)))[..32];
            string file = key + "." + SeedPairs.ExtensionOf(image);
            File.WriteAllBytes(Path.Combine(segment, file), image);
            File.WriteAllText(Path.Combine(segment, key + ".txt"), message.Envelope.Caption);
            bool clean = verdict.Route == Route.Clean;
            var record = new WindowRecord(
                message.Sample.Id, file, message.Message.Message.Key, message.Message.Topic, message.Message.Partition.Value, message.Message.Offset.Value,
                clean ? WindowRoutes.Clean : WindowRoutes.Quarantine, now, verdict.ModelVersion, message.Envelope.Source, clean && _options.ProvisionalWindow > TimeSpan.Zero ? message.Message.Message.Value : null);
            _sidecar!.WriteLine(JsonSerializer.Serialize(record, WindowJsonContext.Default.WindowRecord));
            if (record.Value is not null)
            {
                _provisional.AddLast(new ProvisionalSample(record, Path.GetFileName(segment)));
            }
            else if (!clean && _options.ProvisionalWindow > TimeSpan.Zero)
            {
                _quarantined.AddLast(new ProvisionalSample(record, Path.GetFileName(segment)));
            }

            if (++_openPairs >= _options.SegmentPairs)
            {
                Close();
            }
        }

        _sidecar?.Flush();
        Expire();
    }

    /// <summary>The stored image and caption of a provisional sample, or null when its segment was pruned.</summary>
    public (byte[] Image, string Caption)? Read(ProvisionalSample sample)
    {
        foreach (string folder in new[] { Path.Combine(_layout.Open, sample.SegmentName), Path.Combine(_layout.Window, sample.SegmentName) })
        {
            string image = Path.Combine(folder, sample.Record.File);
            string caption = Path.ChangeExtension(image, ".txt");
            if (File.Exists(image) && File.Exists(caption))
            {
                try
                {
                    return (File.ReadAllBytes(image), File.ReadAllText(caption));
                }
                catch (FileNotFoundException)
                {
                    return null;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The newest sentinel version whose re-judgement of this machine's window completed (its recalls acknowledged);
    /// 0 when none. A start on a newer sentinel than this judges the window again (docs/sentinel.md).
    /// </summary>
    public int JudgedVersion
    {
        get
        {
            string path = JudgedPath;
            return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int v) ? v : 0;
        }
    }

    public void MarkJudged(int version) =>
        Core.IO.AtomicFile.Write(JudgedPath, tmp => File.WriteAllText(tmp, version.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private string JudgedPath => Path.Combine(_layout.Root, $"judged-{_owner}");

    /// <summary>
    /// Forgets provisional samples (recalled ones: they are final now, in quarantine, and from now on count among the
    /// quarantined evidence of later judgements).
    /// </summary>
    public void Forget(IReadOnlySet<string> ids)
    {
        for (LinkedListNode<ProvisionalSample>? node = _provisional.First; node is not null;)
        {
            LinkedListNode<ProvisionalSample>? next = node.Next;
            if (ids.Contains(node.Value.Record.Id))
            {
                _provisional.Remove(node);
                InsertQuarantined(node.Value);
            }

            node = next;
        }
    }

    /// <summary>Into the quarantined list in arrival order (a recall arrives late; expiry reads the list from its oldest end).</summary>
    private void InsertQuarantined(ProvisionalSample sample)
    {
        LinkedListNode<ProvisionalSample>? after = _quarantined.Last;
        while (after is not null && after.Value.Record.RoutedAt > sample.Record.RoutedAt)
        {
            after = after.Previous;
        }

        if (after is null)
        {
            _quarantined.AddFirst(sample);
        }
        else
        {
            _quarantined.AddAfter(after, sample);
        }
    }

    /// <summary>Moves the open segment into the window (the trainer sees it from now on) and prunes the oldest.</summary>
    public void Close()
    {
        if (_open is null)
        {
            return;
        }

        _sidecar!.Dispose();
        _sidecar = null;
        string target = Path.Combine(_layout.Window, Path.GetFileName(_open));
        Directory.Move(_open, target);
        File.Move(SentinelLayout.SidecarOf(_open), SentinelLayout.SidecarOf(target));
        _closed.Enqueue((target, _openPairs));
        _closedPairs += _openPairs;
        Log.WindowSegmentClosed(_log, Path.GetFileName(target), _openPairs, _closedPairs);
        _open = null;
        _openPairs = 0;
        Prune();
        CloseAbandoned(ownOnly: false);
    }

    public void Dispose() => Close();

    private string EnsureOpen(DateTimeOffset now)
    {
        if (_open is not null)
        {
            return _open;
        }

        string name = $"seg-{now.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{_owner}-{Environment.ProcessId}";
        _open = Directory.CreateDirectory(Path.Combine(_layout.Open, name)).FullName;
        _sidecar = new StreamWriter(SentinelLayout.SidecarOf(_open), append: true, new UTF8Encoding(false));
        return _open;
    }

    private void Prune()
    {
        while (_closedPairs > _options.WindowPairs && _closed.Count > 1 && _closed.TryDequeue(out (string Segment, int Pairs) oldest))
        {
            _closedPairs -= oldest.Pairs;
            if (Directory.Exists(oldest.Segment))
            {
                Directory.Delete(oldest.Segment, recursive: true);
            }

            File.Delete(SentinelLayout.SidecarOf(oldest.Segment));
            Log.WindowSegmentPruned(_log, Path.GetFileName(oldest.Segment), oldest.Pairs);
        }
    }

    /// <summary>Open segments left by a process that is gone: this machine's (at start), or anyone's untouched for <see cref="Abandoned"/>.</summary>
    private void CloseAbandoned(bool ownOnly)
    {
        DateTime cutoff = _time.GetUtcNow().UtcDateTime - Abandoned;
        foreach (string segment in Directory.EnumerateDirectories(_layout.Open))
        {
            string sidecar = SentinelLayout.SidecarOf(segment);
            bool own = Path.GetFileName(segment).Contains($"-{_owner}-", StringComparison.Ordinal);
            bool stale = !File.Exists(sidecar) || File.GetLastWriteTimeUtc(sidecar) < cutoff;
            if (segment == _open || !(ownOnly ? own : stale))
            {
                continue;
            }

            string target = Path.Combine(_layout.Window, Path.GetFileName(segment));
            Directory.Move(segment, target);
            if (File.Exists(sidecar))
            {
                File.Move(sidecar, SentinelLayout.SidecarOf(target));
            }

            if (!ownOnly)
            {
                int pairs = Directory.EnumerateFiles(target, "*.txt").Count();
                _closed.Enqueue((target, pairs));
                _closedPairs += pairs;
            }
        }
    }

    /// <summary>This machine's provisional samples of a closed segment, from its sidecar (after a restart).</summary>
    private void Recover(string segment)
    {
        string sidecar = SentinelLayout.SidecarOf(segment);
        if (!Path.GetFileName(segment).Contains($"-{_owner}-", StringComparison.Ordinal) || !File.Exists(sidecar))
        {
            return;
        }

        DateTimeOffset since = _time.GetUtcNow() - _options.ProvisionalWindow;
        foreach (string line in File.ReadLines(sidecar))
        {
            WindowRecord? record;
            try
            {
                record = JsonSerializer.Deserialize(line, WindowJsonContext.Default.WindowRecord);
            }
            catch (JsonException)
            {
                continue;   // a line torn by a crash
            }

            if (record is null || record.RoutedAt < since)
            {
                continue;
            }

            if (record.Value is not null)
            {
                _provisional.AddLast(new ProvisionalSample(record, Path.GetFileName(segment)));
            }
            else if (record.Route == WindowRoutes.Quarantine)
            {
                InsertQuarantined(new ProvisionalSample(record, Path.GetFileName(segment)));
            }
        }
    }

    private void Expire()
    {
        DateTimeOffset since = _time.GetUtcNow() - _options.ProvisionalWindow;
        while (_provisional.First is { } first && first.Value.Record.RoutedAt < since)
        {
            _provisional.RemoveFirst();
        }

        while (_quarantined.First is { } first && first.Value.Record.RoutedAt < since)
        {
            _quarantined.RemoveFirst();
        }
    }

    private static string Sanitize(string name) =>
        new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}
