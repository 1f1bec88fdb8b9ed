using ClipGuard.Stream.Cli;

return CliApp.Run(args);
