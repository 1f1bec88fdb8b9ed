namespace ClipGuard.Stream.Core.Campaigns;

/// <summary>How suspects are grouped into campaigns (docs/detection.md: campaigns).</summary>
public enum CampaignGrouping
{
    /// <summary>By image proximity relative to the clean reference's density around each suspect.</summary>
    Image,

    /// <summary>By caption concept (unit caption embeddings within <see cref="CampaignOptions.CaptionRadius"/>).</summary>
    Caption,

    /// <summary>Either: a suspect joins or confirms a campaign by its image or by its caption.</summary>
    Both,
}
