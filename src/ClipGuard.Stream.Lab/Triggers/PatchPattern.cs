namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>What a BadNets patch looks like.</summary>
public enum PatchPattern
{
    /// <summary>Alternating white and black pixels, white in the patch's top-left corner.</summary>
    Checkerboard,

    /// <summary>All white.</summary>
    White,

    /// <summary>A fixed pattern of black and white pixels drawn once from the trigger's seed.</summary>
    Random,
}
