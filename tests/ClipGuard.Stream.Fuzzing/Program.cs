using ClipGuard.Stream.Fuzzing;

// Usage:
//   fuzz TARGET            run TARGET under AFL++ (afl-fuzz ... -- dotnet ClipGuard.Stream.Fuzzing.dll fuzz TARGET)
//   replay TARGET FILE...  run TARGET once per file; prints each finding; exit 1 when there is one
//   seeds DIR              write the seed inputs of every target to DIR/TARGET/
//   list                   the targets
return args switch
{
    ["fuzz", var name] => FuzzCommand.Fuzz(FuzzTargets.Get(name)),
    ["replay", var name, .. var files] => FuzzCommand.Replay(FuzzTargets.Get(name), files, Console.Out),
    ["seeds", var dir] => Seeds.WriteAll(dir, Console.Out),
    ["list"] => FuzzCommand.List(Console.Out),
    _ => FuzzCommand.Usage(Console.Error),
};
