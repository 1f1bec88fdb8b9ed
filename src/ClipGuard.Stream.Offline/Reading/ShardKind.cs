namespace ClipGuard.Stream.Offline.Reading;

/// <summary>The two layouts img2dataset writes.</summary>
public enum ShardKind
{
    /// <summary>output_format=files: a folder 00000/ holding KEY.jpg, KEY.txt, KEY.json.</summary>
    Files,

    /// <summary>output_format=webdataset: 00000.tar with the same members, read as a stream.</summary>
    Tar,
}
