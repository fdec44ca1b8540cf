namespace NeuroAlign.TestData;

/// <summary>A fact that needs both ../shared/data and the python oracle; skipped with the reason when either is missing.</summary>
public sealed class SharedDataPythonFactAttribute : FactAttribute
{
    public SharedDataPythonFactAttribute()
    {
        if (!RepoPaths.HasSharedData)
        {
            Skip = $"needs the real sample files in {RepoPaths.SharedData}, which a plain clone does not have";
        }
        else if (Python.MissingReason is { } reason)
        {
            Skip = reason;
        }
    }
}
