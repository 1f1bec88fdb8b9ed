using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ClipGuard.Stream.Core.Numerics;

/// <summary>
/// Chooses OpenBLAS's CPU kernel before the library loads. Debian's OpenBLAS 0.3.21 does not recognise some newer
/// CPUs and falls back to a generic kernel that runs sgemm 5–6× slower; <c>OPENBLAS_CORETYPE</c> overrides its
/// detection. When the variable is unset, the kernel matching the CPU's vector units is set in the process
/// environment (the native one, which OpenBLAS reads, not only .NET's copy): SkylakeX with AVX-512, Haswell with AVX2.
/// A value the operator set is kept. Call it first thing in Main, before FAISS or any OpenBLAS binding is loaded.
/// </summary>
public static partial class OpenBlasKernel
{
    public const string Variable = "OPENBLAS_CORETYPE";

    /// <summary>What <see cref="Select"/> decided, for the logs and the benchmark headers.</summary>
    public static string Description { get; private set; } = "OpenBLAS kernel: not selected (OpenBlasKernel.Select was not called)";

    /// <summary>Sets <c>OPENBLAS_CORETYPE</c> when it is unset and the CPU has AVX-512 or AVX2; returns the description.</summary>
    public static string Select()
    {
        string? given = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(given))
        {
            Description = $"OpenBLAS kernel: {given} (from {Variable})";
            return Description;
        }

        string? choice = ForCpu(Avx512F.IsSupported, Avx2.IsSupported);
        if (choice is null || !OperatingSystem.IsLinux())
        {
            Description = "OpenBLAS kernel: the library's own detection (no AVX2 or AVX-512, or not Linux)";
            return Description;
        }

        if (SetEnv(Variable, choice, 1) != 0)
        {
            Description = $"OpenBLAS kernel: the library's own detection (setting {Variable} failed, errno {Marshal.GetLastPInvokeError()})";
            return Description;
        }

        Environment.SetEnvironmentVariable(Variable, choice);
        Description = $"OpenBLAS kernel: {choice} (set because {Variable} was unset and the CPU has {(choice == "SkylakeX" ? "AVX-512" : "AVX2")})";
        return Description;
    }

    /// <summary>The core type for a CPU with these vector units, or null to leave OpenBLAS's own detection.</summary>
    public static string? ForCpu(bool avx512, bool avx2) => avx512 ? "SkylakeX" : avx2 ? "Haswell" : null;

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
