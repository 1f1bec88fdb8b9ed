namespace ClipGuard.Stream.Offline.Reading;

/// <summary>Why a dataset member or sample was left out; <see cref="SkipReasons.Code"/> gives the stable report name.</summary>
public enum SkipReason
{
    /// <summary>The tar shard ends inside a header or a member's data; what came before it is kept.</summary>
    TruncatedTar,

    /// <summary>An image member whose bytes are another format than its extension says (a .jpg holding a PNG).</summary>
    WrongExtension,

    /// <summary>A member whose extension is neither an image, a caption nor metadata (e.g. KEY.bmp, KEY.exe).</summary>
    UnknownMember,

    /// <summary>A second image or caption member for one key; the first one is used.</summary>
    DuplicateMember,

    /// <summary>A sample with an image but no caption (.txt, json "caption" or parquet row).</summary>
    MissingCaption,

    /// <summary>A sample with a caption or metadata but no image.</summary>
    MissingImage,

    /// <summary>A KEY.json that is not a JSON object; the sample itself is still used.</summary>
    BadJson,

    /// <summary>A member larger than the per-member limit, never read into memory.</summary>
    MemberTooLarge,
}
