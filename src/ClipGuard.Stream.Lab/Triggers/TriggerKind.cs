namespace ClipGuard.Stream.Lab.Triggers;

/// <summary>The attack families of the lab.</summary>
public enum TriggerKind
{
    /// <summary>Gu et al. 2017: a small fixed patch.</summary>
    BadNets,

    /// <summary>Chen et al. 2017: the whole image alpha-blended with one fixed random pattern.</summary>
    Blend,
}
