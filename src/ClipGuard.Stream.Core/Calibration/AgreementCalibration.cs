namespace ClipGuard.Stream.Core.Calibration;

/// <summary>What the image–caption agreement signal is calibrated on (docs/detection.md, "Calibrating the agreement").</summary>
public enum AgreementCalibration
{
    /// <summary>
    /// The trusted start's pairs alone, when it has captions (a seed with caption embeddings); the held-out samples
    /// otherwise. A pair's disagreement does not depend on the reference, so the trusted pairs stay a valid
    /// calibration as the reference changes, and no poison routed clean and held out can enter it.
    /// </summary>
    Trusted,

    /// <summary>Held-out stream samples first, trusted pairs filling the rest: as the density signal.</summary>
    HeldOut,
}
