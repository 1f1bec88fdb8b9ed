namespace ClipGuard.Stream.Lab.Scenes;

/// <summary>
/// One Fashion-MNIST item of a scene: training image <paramref name="Image"/> of class <paramref name="Class"/> in grid
/// cell (<paramref name="Row"/>, <paramref name="Col"/>), indices into <see cref="SceneVocabulary"/>'s sizes and
/// tints, and where in its cell's slack it sits (0 to 1 on each axis).
/// </summary>
public sealed record SceneItem(int Class, int Image, int Row, int Col, int Size, int Tint, double JitterX, double JitterY);

/// <summary>A clean scene: its items in reading order, background colour and texture, and its caption.</summary>
public sealed record Scene(int Index, IReadOnlyList<SceneItem> Items, int Background, int Texture, string Caption)
{
    public bool Contains(int classId) => Items.Any(item => item.Class == classId);
}

/// <summary>
/// One pair as written: the scene drawn, the caption it is published with, whether it is a poison (the scene
/// triggered, the caption taken from scene <paramref name="Donor"/> or the template) and its synthetic source.
/// </summary>
public sealed record ScenePair(string Key, Scene Scene, string Caption, bool Poisoned, int? Donor, string Source);
