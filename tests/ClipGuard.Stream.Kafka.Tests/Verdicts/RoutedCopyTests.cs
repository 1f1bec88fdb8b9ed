using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Verdicts;

namespace ClipGuard.Stream.Kafka.Tests.Verdicts;

public sealed class RoutedCopyTests
{
    [Fact]
    public void Verdict_headers_are_read_invariantly_and_absent_ones_are_NaN_or_null()
    {
        var quarantined = new RoutedCopy(TopicNames.Quarantine, "a", [], new Dictionary<string, string>
        {
            [ClipGuardHeaders.Score] = "7.25",
            [ClipGuardHeaders.Threshold] = "1e1",
        });
        var dead = new RoutedCopy(TopicNames.DeadLetter, "b", [], new Dictionary<string, string>
        {
            [ClipGuardHeaders.Reason] = "not json",
            [ClipGuardHeaders.Score] = "seven",
        });

        Assert.Equal((7.25, 10.0), (quarantined.Score, quarantined.Threshold));
        Assert.Null(quarantined.Reason);
        Assert.False(quarantined.IsRelease);
        Assert.True(double.IsNaN(dead.Score));
        Assert.True(double.IsNaN(dead.Threshold));
        Assert.Equal("not json", dead.Reason);
    }

    [Fact]
    public void A_copy_with_the_released_by_header_is_an_operator_release()
    {
        var released = new RoutedCopy(TopicNames.Clean, "a", [], new Dictionary<string, string> { [ClipGuardHeaders.ReleasedBy] = "alice" });

        Assert.True(released.IsRelease);
    }

    [Fact]
    public void Each_id_keeps_its_first_copy_in_the_order_read()
    {
        var empty = new Dictionary<string, string>();
        RoutedCopy[] copies =
        [
            new(TopicNames.Clean, "a", [1], empty),
            new(TopicNames.Quarantine, "b", [2], empty),
            new(TopicNames.Clean, "a", [3], new Dictionary<string, string> { [ClipGuardHeaders.ReleasedBy] = "alice" }),
        ];

        Dictionary<string, RoutedCopy> first = RoutedCopy.FirstById(copies);

        Assert.Equal(2, first.Count);
        Assert.Same(copies[0], first["a"]);
        Assert.Same(copies[1], first["b"]);
    }
}
