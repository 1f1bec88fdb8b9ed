namespace ClipGuard.Stream.Offline.Reading;

/// <summary>
/// Stable snake_case names for <see cref="SkipReason"/>, used in stats files and summaries. Images the decoder refuses
/// are counted under the stream's dead-letter codes instead (image_corrupt, image_truncated, ...).
/// </summary>
public static class SkipReasons
{
    public static string Code(SkipReason reason) => reason switch
    {
        SkipReason.TruncatedTar => "truncated_tar",
        SkipReason.WrongExtension => "wrong_extension",
        SkipReason.UnknownMember => "unknown_member",
        SkipReason.DuplicateMember => "duplicate_member",
        SkipReason.MissingCaption => "missing_caption",
        SkipReason.MissingImage => "missing_image",
        SkipReason.BadJson => "bad_json",
        SkipReason.MemberTooLarge => "member_too_large",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown skip reason"),
    };
}
