using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using ClipGuard.Stream.Core.Numerics;
using Xunit;

namespace ClipGuard.Stream.Core.Tests.Numerics;

public sealed partial class OpenBlasKernelTests
{
    [Theory]
    [InlineData(true, true, "SkylakeX")]
    [InlineData(true, false, "SkylakeX")]
    [InlineData(false, true, "Haswell")]
    [InlineData(false, false, null)]
    public void TheKernelFollowsTheWidestVectorUnit(bool avx512, bool avx2, string? expected) =>
        Assert.Equal(expected, OpenBlasKernel.ForCpu(avx512, avx2));

    [Fact]
    public void AfterSelectionTheNativeEnvironmentOpenBlasReadsHoldsTheKernel()
    {
        string? before = Environment.GetEnvironmentVariable(OpenBlasKernel.Variable);

        string description = OpenBlasKernel.Select();

        string? native = Marshal.PtrToStringUTF8(GetEnv(OpenBlasKernel.Variable));
        if (!string.IsNullOrEmpty(before))
        {
            // An operator's choice is never overridden.
            Assert.Equal(before, Environment.GetEnvironmentVariable(OpenBlasKernel.Variable));
            Assert.Contains("from OPENBLAS_CORETYPE", description, StringComparison.Ordinal);
        }
        else if (OperatingSystem.IsLinux() && (Avx512F.IsSupported || Avx2.IsSupported))
        {
            string expected = OpenBlasKernel.ForCpu(Avx512F.IsSupported, Avx2.IsSupported)!;
            Assert.Equal(expected, native);
            Assert.Equal(expected, Environment.GetEnvironmentVariable(OpenBlasKernel.Variable));
            Assert.Contains(expected, description, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(native);
        }

        Assert.Equal(description, OpenBlasKernel.Description);
    }

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
