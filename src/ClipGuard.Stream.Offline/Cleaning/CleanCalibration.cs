using System.Globalization;
using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>
/// The stream's default decision (docs/detection.md, "The decision") applied to a finished dataset. Image density is
/// calibrated on the reference members' leave-one-out scores, image–caption disagreement on the pairs of a trusted
/// reference folder, or else of a seeded random draw of the dataset (the same draw as the random reference; at a
/// poisoning rate above the budget its poisons crowd the calibration tail, docs/offline.md); a sample's p-value per signal is
/// (1 + #{calibration values ≥ its value}) / (n + 1), and the two are fused by Bonferroni, 2 · min. A sample is
/// removed when the fused p is at most the budget, so about that share of clean samples is removed whatever the
/// detector's score shape. Without caption embeddings (embedded with --no-text, or a text tower that does not read
/// CLIP's vocabulary) the density signal decides alone.
/// </summary>
public sealed class CleanCalibration
{
    private readonly ConformalCalibration _calibration;

    private CleanCalibration(ConformalCalibration calibration, string description)
    {
        _calibration = calibration;
        Description = description;
    }

    /// <summary>What the p-values were calibrated on, recorded in clean_config.json and the summary.</summary>
    public string Description { get; }

    /// <summary>Whether the caption agreement takes part.</summary>
    public bool Fused => _calibration.HasAgreement;

    /// <summary>The smallest fused p-value this calibration can give: a budget below it removes nothing.</summary>
    public double SmallestP => PValues.Fuse(
        1.0 / (_calibration.DensityCount + 1),
        Fused ? 1.0 / (_calibration.AgreementCount + 1) : double.NaN);

    /// <param name="model">The reference, built once; its members' leave-one-out scores calibrate the density signal.</param>
    /// <param name="pairs">Where the agreement signal is calibrated: these rows (sorted) of this set, when it has captions.</param>
    /// <param name="pairsName">What those pairs are, for the description.</param>
    public static CleanCalibration Build(DensityModel<float> model, int[] slotOfRow, EmbeddingSet pairs, int[] rows, CleanSettings settings, string pairsName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(slotOfRow);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(settings);
        double[] density = [.. slotOfRow.Select(slot => model.MemberScores(slot).Get(settings.Detector))];
        double[] agreement = pairs.HasTexts ? Disagreements(pairs, rows) : [];
        var calibration = new ConformalCalibration(0, density, agreement, minimumSize: 1);
        string description = string.Create(CultureInfo.InvariantCulture, $"{calibration.DensityCount} leave-one-out {settings.Detector.ToString().ToLowerInvariant()} scores of the reference")
            + (calibration.HasAgreement
                ? string.Create(CultureInfo.InvariantCulture, $", fused (Bonferroni) with the image-caption disagreement of {calibration.AgreementCount} {pairsName}")
                : ", image density only (no caption embeddings)");
        return new CleanCalibration(calibration, description);
    }

    /// <summary>Calibration scores of the density signal.</summary>
    public int DensityCount => _calibration.DensityCount;

    /// <summary>Calibration scores of the agreement signal; 0 when it takes no part.</summary>
    public int AgreementCount => Fused ? _calibration.AgreementCount : 0;

    /// <summary>
    /// The per-signal p-values of one sample (agreement NaN when that signal takes no part), which a confident cut
    /// reads, and their fusion (NaN for a sample no signal can judge), which the marginal budget reads.
    /// </summary>
    public (double Density, double Agreement, double Fused) SignalPValues(double densityScore, double disagreement)
    {
        double density = _calibration.DensityP(densityScore), agreement = _calibration.AgreementP(disagreement);
        return (density, agreement, PValues.Fuse(density, agreement));
    }

    /// <summary>Image–caption disagreement of every row of one shard (NaN where the set has no caption embeddings).</summary>
    public static double[] Disagreements(EmbeddingSet set, int shard, Matrix<float> images)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(images);
        var result = new double[images.Rows];
        if (!set.HasTexts)
        {
            Array.Fill(result, double.NaN);
            return result;
        }

        Matrix<float> texts = set.ReadTexts(shard);
        for (int i = 0; i < images.Rows; i++)
        {
            result[i] = PairAgreement.Disagreement(images.RowReadOnly(i), texts.RowReadOnly(i));
        }

        return result;
    }

    private static double[] Disagreements(EmbeddingSet set, int[] rows)
    {
        var result = new double[rows.Length];
        foreach ((int shard, var inShard) in set.ByShard(rows))
        {
            double[] all = Disagreements(set, shard, set.ReadImages(shard));
            foreach ((int row, int index) in inShard)
            {
                result[index] = all[row];
            }
        }

        return result;
    }
}
