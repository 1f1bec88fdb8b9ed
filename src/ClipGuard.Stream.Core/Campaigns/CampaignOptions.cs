namespace ClipGuard.Stream.Core.Campaigns;

/// <summary>When suspects are confirmed as a campaign (docs/detection.md: campaigns).</summary>
public sealed class CampaignOptions
{
    /// <summary>On by default: the lab's learned backdoors are caught as campaigns with no clean member (docs/detection-results.md).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A sample whose fused p-value is at most this is a suspect, and may join a campaign.</summary>
    public double SuspectLevel { get; set; } = 0.05;

    /// <summary>
    /// By image: only a suspect whose fused p-value is at most this founds a campaign, and only such suspects count
    /// toward the group its test weighs; weaker suspects (up to <see cref="SuspectLevel"/>) join a confirmed campaign.
    /// A calibration whose smallest p-value is larger (fewer than signals / level − 1 scores: 399 with two signals)
    /// cannot tell the two apart, and then every suspect founds.
    /// The test reads the clean rate near a suspect from a guard of at most 16,384 trusted pairs, whose own sampling
    /// noise it does not weigh: over a 100,000-pair exposure a clean sub-population that is twice as frequent in the
    /// stream as in the guard by chance fills the test's radius with marginal suspects (lab, a swap's re-judgement:
    /// 49 and 26 clean pairs confirmed, member p-values median 0.016), while a learned trigger's copies are strong
    /// outliers (median 1.2e-4; docs/detection-results.md).
    /// </summary>
    public double FoundingLevel { get; set; } = 0.005;

    /// <summary>
    /// What makes suspects a group: their image embeddings (mutually closer than the clean reference is dense around
    /// them: a learned trigger), their captions (one concept: template captions), or either.
    /// </summary>
    public CampaignGrouping Grouping { get; set; } = CampaignGrouping.Image;

    /// <summary>Two captions share a concept when their unit embeddings are at most this far apart (Euclidean; 0.1 ≈ cosine 0.995).</summary>
    public double CaptionRadius { get; set; } = 0.1;

    /// <summary>By image: a suspect joins a confirmed campaign with a member within this fraction of its own k-distance to the reference.</summary>
    public double ImageJoinRadius { get; set; } = 0.75;

    /// <summary>
    /// By image: campaigns are confirmed only when the trusted start (seed or bootstrap set) has at least this many
    /// members. A small start makes the k-distance scale coarse early in the stream and the campaigns chain clean
    /// suspects: from a 2,048-pair seed the lab's learned 0.1 % campaigns took in 32–782 clean members at arrival
    /// (precision 0.24); from 16,384, none (docs/detection-results.md). 0 = no minimum.
    /// </summary>
    public int MinimumTrustedStart { get; set; } = 16_384;

    /// <summary>Fewest suspects a campaign has when it is confirmed.</summary>
    public int MinimumMembers { get; set; } = 8;

    /// <summary>
    /// A group is confirmed only when this many suspects near one caption would be this unlikely from clean samples
    /// alone: the Poisson tail at the expected count (the rate at which clean samples near that caption are suspects × samples seen).
    /// </summary>
    public double Significance { get; set; } = 1e-6;

    /// <summary>Most recent suspects remembered.</summary>
    public int Window { get; set; } = 20_000;

    public void Validate(List<string> errors)
    {
        if (SuspectLevel is <= 0 or >= 1 || double.IsNaN(SuspectLevel))
        {
            errors.Add($"Campaigns.SuspectLevel must be in (0, 1) (got {SuspectLevel})");
        }

        if (FoundingLevel <= 0 || !(FoundingLevel <= SuspectLevel))
        {
            errors.Add($"Campaigns.FoundingLevel must be in (0, SuspectLevel = {SuspectLevel}] (got {FoundingLevel})");
        }

        if (CaptionRadius is <= 0 or > 2 || double.IsNaN(CaptionRadius))
        {
            errors.Add($"Campaigns.CaptionRadius must be in (0, 2] (got {CaptionRadius})");
        }

        if (ImageJoinRadius is <= 0 or > 2 || double.IsNaN(ImageJoinRadius))
        {
            errors.Add($"Campaigns.ImageJoinRadius must be in (0, 2] (got {ImageJoinRadius})");
        }

        if (MinimumTrustedStart < 0)
        {
            errors.Add($"Campaigns.MinimumTrustedStart must be at least 0 (got {MinimumTrustedStart})");
        }

        if (MinimumMembers < 2)
        {
            errors.Add($"Campaigns.MinimumMembers must be at least 2 (got {MinimumMembers})");
        }

        if (Significance is <= 0 or >= 1 || double.IsNaN(Significance))
        {
            errors.Add($"Campaigns.Significance must be in (0, 1) (got {Significance})");
        }

        if (Window < MinimumMembers)
        {
            errors.Add($"Campaigns.Window ({Window}) must be at least MinimumMembers ({MinimumMembers})");
        }
    }
}
