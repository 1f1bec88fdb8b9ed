using System.Net.Sockets;

namespace ClipGuard.Stream.DevBroker.Tests;

public sealed class RedisServerProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_missing_binary_fails_with_the_install_command()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => RedisServerProcess.StartAsync("/nonexistent/redis-server", Ct));

        Assert.Contains("apt-get install -y redis-server", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/redis-server", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_frees_the_port_restart_reuses_it_and_dispose_kills_the_server()
    {
        var server = await RedisServerProcess.StartAsync(Ct);
        int port = server.Port;
        Assert.True(await AcceptsAsync(port));

        await server.StopAsync();
        Assert.False(server.IsRunning);
        Assert.False(await AcceptsAsync(port));

        await server.RestartAsync(Ct);
        Assert.Equal(port, server.Port);
        Assert.True(server.IsRunning);
        Assert.True(await AcceptsAsync(port));

        await server.DisposeAsync();
        Assert.False(await AcceptsAsync(port));
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, Ct);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
