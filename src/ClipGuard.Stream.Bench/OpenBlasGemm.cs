using System.Runtime.InteropServices;

namespace ClipGuard.Stream.Bench;

/// <summary>
/// This machine's matrix-product rate, measured with OpenBLAS sgemm when Debian's libopenblas is installed: the
/// yardstick the k-NN kernel's flop rate is compared with.
/// </summary>
internal sealed unsafe class OpenBlasGemm
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;
    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int, void> _setThreads;

    private OpenBlasGemm(nint lib)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(lib, "cblas_sgemm");
        _setThreads = NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out nint st) ? (delegate* unmanaged<int, void>)st : null;
    }

    public static OpenBlasGemm? TryLoad()
    {
        foreach (string name in new[] { "libopenblas.so.0", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "libopenblas.so" })
        {
            if (NativeLibrary.TryLoad(name, out nint lib) && NativeLibrary.TryGetExport(lib, "cblas_sgemm", out _))
            {
                return new OpenBlasGemm(lib);
            }
        }

        return null;
    }

    /// <summary>GFLOP/s of C[m×n] = A[m×k]·B[n×k]ᵀ (the k-NN shape), best of three.</summary>
    public double MeasureGflops(int m, int n, int k, int threads)
    {
        if (_setThreads != null)
        {
            _setThreads(threads);
        }

        var a = new float[m * k];
        var b = new float[n * k];
        var c = new float[m * n];
        var rng = new Random(1);
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)rng.NextDouble();
        }

        for (int i = 0; i < b.Length; i++)
        {
            b[i] = (float)rng.NextDouble();
        }

        double best = 0;
        fixed (float* pa = a, pb = b, pc = c)
        {
            for (int rep = 0; rep < 4; rep++)
            {
                long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                _sgemm(RowMajor, NoTrans, Trans, m, n, k, 1f, pa, k, pb, k, 0f, pc, n);
                double s = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
                if (rep > 0)
                {
                    best = Math.Max(best, 2.0 * m * n * k / s / 1e9);
                }
            }
        }

        return best;
    }
}
