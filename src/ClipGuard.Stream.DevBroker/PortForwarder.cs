using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.DevBroker;

/// <summary>Relays TCP connections from a fixed loopback port to a mock broker's kernel-chosen port. The mock cannot
/// bind a chosen port itself, and a stable address lets people keep one bootstrap across dev-broker restarts.</summary>
internal sealed class PortForwarder : IDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;

    public PortForwarder(int listenPort, int targetPort, ILogger logger)
    {
        _targetPort = targetPort;
        _logger = logger;
        _listener = new TcpListener(IPAddress.Loopback, listenPort);
        _listener.Start();
        ListenPort = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync(_stopping.Token);
    }

    public int ListenPort { get; }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException or SocketException or ObjectDisposedException))
        {
            // Stopping the listener is what ends the loop.
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            Socket client = await _listener.AcceptSocketAsync(cancel).ConfigureAwait(false);
            _ = RelayAsync(client, cancel);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken cancel)
    {
        using (client)
        using (var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            // Kafka requests are small and latency-bound: never let Nagle hold them back.
            client.NoDelay = true;
            upstream.NoDelay = true;
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, cancel).ConfigureAwait(false);
                await using var clientStream = new NetworkStream(client, ownsSocket: false);
                await using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                Task up = clientStream.CopyToAsync(upstreamStream, linked.Token);
                Task down = upstreamStream.CopyToAsync(clientStream, linked.Token);
                await Task.WhenAny(up, down).ConfigureAwait(false);
                await linked.CancelAsync().ConfigureAwait(false);
                Log.ForwardedConnectionEnded(_logger, ListenPort, "closed");
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // A peer going away is the normal end of a relayed connection, not a failure of the broker.
                Log.ForwardedConnectionEnded(_logger, ListenPort, ex.Message);
            }
        }
    }
}
