namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>Per-sample random streams that do not depend on the process (unlike <see cref="HashCode"/>).</summary>
internal static class TriggerSeeds
{
    public static Random For(int seed, int key) => new(unchecked((int)(((uint)seed * 0x9E3779B1u) ^ ((uint)key * 0x85EBCA6Bu))));
}
