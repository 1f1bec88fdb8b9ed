using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Index.Persistence;

// Usage: CrashWriter <snapshot-path> <points> <dimension> <version>
// Saves a snapshot of that many random points through ReferenceSnapshotStore, announcing "saving" on stdout first.
string path = args[0];
int rows = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
int dim = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
long version = long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
var rng = new Random(rows);
var points = new Matrix<float>(rows, dim);
for (int i = 0; i < points.Data.Length; i++)
{
    points.Data[i] = (float)rng.NextDouble();
}

var members = Enumerable.Range(0, rows).Select(i => new ReferenceMemberState($"m{i}", "crash", i)).ToList();
var options = new ReferenceSetOptions { Capacity = rows + 1, K = 4 };
var state = new ReferenceSetState<float>(options, version, rows, points, members, []);
Console.WriteLine("saving");
Console.Out.Flush();
new ReferenceSnapshotStore(path).Save(state);
Console.WriteLine("saved");
return 0;
