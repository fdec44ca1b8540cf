namespace NeuroAlign.Cli.ScaleOut;

/// <summary>
/// How to start this same neuro-align again from a script or a child process: the apphost or
/// .NET tool shim when that is what runs, else <c>dotnet</c> with this assembly's dll (the case
/// under <c>dotnet neuro-align.dll</c> and under a test host that loaded the CLI in-process).
/// </summary>
internal static class SelfCommand
{
    private const string AppName = "neuro-align";

    /// <summary>The command and its leading arguments, all absolute paths; the task's arguments follow.</summary>
    public static IReadOnlyList<string> Resolve()
    {
        string? process = Environment.ProcessPath;
        if (process != null && Path.GetFileNameWithoutExtension(process) == AppName)
        {
            return [process];
        }

        // Empty in a single-file build, whose process path is neuro-align and so returned above.
#pragma warning disable IL3000
        string dll = typeof(SelfCommand).Assembly.Location;
#pragma warning restore IL3000
        if (string.IsNullOrEmpty(dll))
        {
            throw new NeuroAlignException("cannot tell where this neuro-align is installed (single-file build without a process path); run it as neuro-align or dotnet neuro-align.dll");
        }

        return [DotnetHost(process, dll), dll];
    }

    private static string DotnetHost(string? process, string dll)
    {
        if (process != null && Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return process;
        }

        // The SDK sets DOTNET_HOST_PATH for the processes it starts (test hosts, build tasks).
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, "dotnet");
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new NeuroAlignException($"cannot find the dotnet host to run {dll}: set DOTNET_ROOT or put dotnet on PATH");
    }
}
