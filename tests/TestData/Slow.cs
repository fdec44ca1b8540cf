using Xunit.v3;

namespace NeuroAlign.TestData;

/// <summary>
/// Marks a test that takes more than about 2 s here (trait Category=Slow): `./test.sh --fast`
/// leaves these out (`--filter "Category!=Slow"`); `./test.sh` runs everything.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false)]
public sealed class SlowAttribute : Attribute, ITraitAttribute
{
    public const string Category = "Category";

    public const string Value = "Slow";

    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new(Category, Value)];
}
