namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>Where a BadNets patch goes.</summary>
public enum PatchPosition
{
    /// <summary>The bottom-right corner of every image.</summary>
    Fixed,

    /// <summary>Anywhere inside the image, drawn per sample.</summary>
    Random,
}
