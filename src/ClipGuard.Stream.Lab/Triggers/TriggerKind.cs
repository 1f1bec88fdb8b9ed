namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>The attack families of the lab.</summary>
public enum TriggerKind
{
    /// <summary>Gu et al. 2017: a small fixed patch.</summary>
    BadNets,

    /// <summary>Chen et al. 2017: the whole image alpha-blended with one fixed random pattern.</summary>
    Blend,

    /// <summary>Barni et al. 2019: a sinusoidal signal added as horizontal stripes.</summary>
    Sig,

    /// <summary>Nguyen and Tran 2021: a fixed smooth warp of the whole image.</summary>
    WaNet,
}
