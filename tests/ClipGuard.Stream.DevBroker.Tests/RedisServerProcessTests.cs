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

    [Fact]
    public async Task A_persistent_server_keeps_acknowledged_writes_across_a_crash()
    {
        string dir = Directory.CreateTempSubdirectory("clipguard-redis-aof-").FullName;
        try
        {
            await using var server = await RedisServerProcess.StartPersistentAsync(dir, Ct);
            Assert.StartsWith("+OK", await CommandAsync(server.Port, "SET pinned q"), StringComparison.Ordinal);

            await server.RestartAsync(Ct); // SIGKILL, then start again on the same files
            Assert.Equal("$1\r\nq", (await CommandAsync(server.Port, "GET pinned")).TrimEnd());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>One inline Redis command over a plain socket, and the reply.</summary>
    private static async Task<string> CommandAsync(int port, string command)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port, Ct);
        using var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(command + "\r\n"), Ct);
        var buffer = new byte[256];
        int read = await stream.ReadAsync(buffer, Ct);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read);
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
