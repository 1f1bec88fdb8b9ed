using System.Net;
using System.Net.Sockets;

namespace ClipGuard.Stream.DevBroker;

/// <summary>Finds loopback ports nobody listens on, for services that must be started on a fixed port.</summary>
public static class FreePorts
{
    /// <summary>The first of <paramref name="count"/> consecutive free ports (checked by binding them all).</summary>
    public static int FindConsecutive(int count)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int first = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            if (first + count - 1 <= 65535 && AllFree(first, count))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free loopback ports found");
    }

    private static bool AllFree(int first, int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (int port = first; port < first + count; port++)
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listeners.Add(listener);
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
