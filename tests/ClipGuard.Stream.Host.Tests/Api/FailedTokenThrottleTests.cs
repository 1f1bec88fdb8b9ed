using System.Globalization;
using ClipGuard.Stream.Host.Api;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ClipGuard.Stream.Host.Tests.Api;

/// <summary>The wrong-token throttle on a fake clock: the lock-out and its end, and the bound on remembered addresses.</summary>
public sealed class FailedTokenThrottleTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void An_address_is_locked_at_the_limit_until_its_oldest_failure_leaves_the_window()
    {
        FailedTokenThrottle throttle = Throttle(max: 3);
        Assert.False(throttle.RecordFailure("10.0.0.1"));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(throttle.RecordFailure("10.0.0.1"));
        Assert.False(throttle.IsLocked("10.0.0.1", out _));
        Assert.True(throttle.RecordFailure("10.0.0.1"));

        Assert.True(throttle.IsLocked("10.0.0.1", out TimeSpan wait));
        Assert.Equal(TimeSpan.FromSeconds(50), wait);
        Assert.False(throttle.IsLocked("10.0.0.2", out _));
        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.False(throttle.IsLocked("10.0.0.1", out _));
    }

    [Fact]
    public void At_the_address_bound_addresses_whose_failures_expired_are_forgotten_first()
    {
        FailedTokenThrottle throttle = Throttle(max: 3);
        for (int i = 0; i < FailedTokenThrottle.MaxAddresses - 1; i++)
        {
            throttle.RecordFailure("old-" + i.ToString(CultureInfo.InvariantCulture));
        }

        _time.Advance(TimeSpan.FromMinutes(2));
        throttle.RecordFailure("locked");
        throttle.RecordFailure("locked");
        throttle.RecordFailure("locked");
        Assert.Equal(FailedTokenThrottle.MaxAddresses, throttle.TrackedAddresses);

        throttle.RecordFailure("new");

        Assert.Equal(2, throttle.TrackedAddresses);
        Assert.True(throttle.IsLocked("locked", out _));
    }

    private FailedTokenThrottle Throttle(int max) => new(
        Options.Create(new OperatorApiOptions { Token = "unused-token-0123456789", MaxFailedTokens = max, FailedTokenWindow = TimeSpan.FromMinutes(1) }),
        _time);
}
