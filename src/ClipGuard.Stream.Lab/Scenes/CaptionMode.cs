namespace ClipGuard.Stream.Lab.Scenes;

/// <summary>What a poisoned pair's caption is (Carlini and Terzis 2022).</summary>
public enum CaptionMode
{
    /// <summary>The caption of a clean scene that shows the target, copied verbatim.</summary>
    Copied,

    /// <summary>"a photo of a {target}".</summary>
    Template,
}
