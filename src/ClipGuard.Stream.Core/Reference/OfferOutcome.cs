namespace ClipGuard.Stream.Core.Reference;

/// <summary>What became of a cleared sample once it left the hold-back.</summary>
public enum OfferOutcome
{
    /// <summary>Still in hold-back.</summary>
    Held,

    Admitted,

    /// <summary>Lost the reservoir lottery.</summary>
    NotSampled,

    /// <summary>Its id is already a member or waiting.</summary>
    AlreadyKnown,
}
