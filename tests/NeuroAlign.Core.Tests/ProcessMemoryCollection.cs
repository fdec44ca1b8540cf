namespace NeuroAlign.Core.Tests;

/// <summary>
/// Tests that measure this process's resident pages (/proc/self/status) run alone: another test
/// mapping a file at the same moment would move the figure they check.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    public const string Name = "process memory";
}
