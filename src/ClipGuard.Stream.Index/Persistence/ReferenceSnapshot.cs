using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Index.Persistence;

/// <summary>
/// The file format of a saved <see cref="ReferenceSetState{T}"/>: a <see cref="ChecksummedFile"/> (magic, format
/// version, SHA-256 over the whole body, written by temp file + fsync + rename) whose body is the options, version,
/// samples seen, replicated log position, distinct points, members in arrival order and the hold-back queue. Every count is checked against the bytes left,
/// so even a file with a valid checksum but impossible contents is rejected before any set is built.
/// </summary>
public static class ReferenceSnapshot
{
    public const string Magic = "CGREFSNP";
    /// <summary>2 added the replicated log position after the samples-seen counter; 3 the embedding model after it.</summary>
    public const int FormatVersion = 3;

    public static void Write<T>(string path, ReferenceSetState<T> state)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ChecksummedFile.Write(path, Magic, FormatVersion, w =>
        {
            w.Write(Unsafe.SizeOf<T>());
            ReferenceSetOptions o = state.Options;
            w.Write(o.Capacity);
            w.Write(o.K);
            w.Write((int)o.Metric);
            w.Write((int)o.Policy);
            w.Write(o.HoldBack);
            w.Write(o.MaxSourceShare);
            w.Write(o.Seed);
            w.Write(o.Threads);
            w.Write(state.Version);
            w.Write(state.EligibleSeen);
            w.Write(state.LogPosition);
            w.Write(state.ModelVersion ?? string.Empty);
            w.Write(state.Points.Rows);
            w.Write(state.Points.Cols);
            w.Write(MemoryMarshal.AsBytes(state.Points.Data.AsSpan()));
            w.Write(state.Members.Count);
            foreach (ReferenceMemberState m in state.Members)
            {
                w.Write(m.Id);
                w.Write(m.Source);
                w.Write(m.Point);
            }

            w.Write(state.HoldBack.Count);
            foreach (PendingSampleState<T> p in state.HoldBack)
            {
                w.Write(p.Id);
                w.Write(p.Source);
                w.Write(MemoryMarshal.AsBytes(p.Vector.AsSpan()));
            }
        });
    }

    /// <summary>Reads and validates a snapshot; throws <see cref="SnapshotCorruptException"/> naming the problem.</summary>
    public static ReferenceSetState<T> Read<T>(string path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        return ChecksummedFile.Read(path, Magic, FormatVersion, r =>
        {
            int elementSize = r.ReadInt32();
            if (elementSize != Unsafe.SizeOf<T>())
            {
                throw new SnapshotCorruptException(path, $"holds {elementSize}-byte elements, the caller reads {typeof(T).Name}");
            }

            var options = new ReferenceSetOptions
            {
                Capacity = r.ReadInt32(),
                K = r.ReadInt32(),
                Metric = (DistanceMetric)r.ReadInt32(),
                Policy = (AdmissionPolicy)r.ReadInt32(),
                HoldBack = r.ReadInt32(),
                MaxSourceShare = r.ReadDouble(),
                Seed = r.ReadInt32(),
                Threads = r.ReadInt32(),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new SnapshotCorruptException(path, e.Message, e);
            }

            long version = r.ReadInt64();
            long eligibleSeen = r.ReadInt64();
            long logPosition = r.ReadInt64();
            Require(path, logPosition >= 0, $"log position {logPosition} is negative");
            string model = r.ReadString();
            int rows = r.ReadInt32();
            int cols = r.ReadInt32();
            Require(path, rows >= 0 && cols > 0 && (long)rows * cols * elementSize <= Left(r), $"{rows} x {cols} points do not fit in the file");
            var points = new Matrix<T>(rows, cols);
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(points.Data.AsSpan()));

            int memberCount = r.ReadInt32();
            Require(path, memberCount >= 0 && memberCount <= Left(r), $"member count {memberCount} is impossible");
            var members = new List<ReferenceMemberState>(memberCount);
            var ids = new HashSet<string>(memberCount);
            for (int i = 0; i < memberCount; i++)
            {
                var m = new ReferenceMemberState(r.ReadString(), r.ReadString(), r.ReadInt32());
                Require(path, (uint)m.Point < (uint)rows, $"member '{m.Id}' names point {m.Point} of {rows}");
                Require(path, ids.Add(m.Id), $"member '{m.Id}' appears twice");
                members.Add(m);
            }

            int pendingCount = r.ReadInt32();
            Require(path, pendingCount >= 0 && (long)pendingCount * cols * elementSize <= Left(r), $"hold-back count {pendingCount} is impossible");
            var holdBack = new List<PendingSampleState<T>>(pendingCount);
            for (int i = 0; i < pendingCount; i++)
            {
                string id = r.ReadString();
                string source = r.ReadString();
                var vector = new T[cols];
                r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(vector.AsSpan()));
                holdBack.Add(new PendingSampleState<T>(id, source, vector));
            }

            return new ReferenceSetState<T>(options, version, eligibleSeen, points, members, holdBack) { LogPosition = logPosition, ModelVersion = model.Length == 0 ? null : model };
        });
    }

    private static long Left(BinaryReader r) => r.BaseStream.Length - r.BaseStream.Position;

    private static void Require(string path, bool condition, string problem)
    {
        if (!condition)
        {
            throw new SnapshotCorruptException(path, problem);
        }
    }
}
