namespace ClipGuard.Stream.Offline;

/// <summary>Bad input to an offline run (paths, options, an output folder of another run): one line for the user.</summary>
public sealed class OfflineInputException(string message) : Exception(message);
