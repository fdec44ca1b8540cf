using NeuroAlign.Filtering;
using NeuroAlign.Modalities.Ephys;
using NeuroAlign.Modalities.Fmri;
using NeuroAlign.Modalities.Physio;
using NeuroAlign.Modalities.Table;
using NeuroAlign.Sessions;

namespace NeuroAlign.Core.Tests;

/// <summary>
/// The filter scopes the command line offers, in its registry's order: Core's modalities' own
/// declarations, and copies of the video and pose declarations (their modalities live in projects
/// Core's tests do not reference; the command line's tests exercise those declarations).
/// </summary>
internal static class TestScopes
{
    public static FilterScope Ephys { get; } = new EphysModality().FilterScope;

    public static FilterScope Fmri { get; } = new FmriModality().FilterScope;

    public static FilterScope Physio { get; } = new PhysioModality().FilterScope;

    public static FilterScope Table { get; } = new TableModality().FilterScope;

    public static FilterScope Spikes { get; } = ((IModality)new NeuroAlign.Modalities.Spikes.SpikesModality()).FilterScope;

    /// <summary>As VideoModality declares it.</summary>
    public static FilterScope Video { get; } = new("video", [FilterVariable.Signal(FilterQuantity.None, "the pixel value, 0-255"), FilterVariable.Time]);

    /// <summary>As PoseModality declares it.</summary>
    public static FilterScope Pose { get; } = new(
        "pose",
        [
            FilterVariable.PointComponent("x", 0, 3, "the point's x in pixels"),
            FilterVariable.PointComponent("y", 1, 3, "the point's y in pixels"),
            FilterVariable.PointComponent("score", 2, 3, "the tracker's confidence (DeepLabCut likelihood, SLEAP point score)"),
            FilterVariable.Time,
        ]);

    /// <summary>In the order of the command line's registry (SettingOptions.Modalities).</summary>
    public static IReadOnlyList<FilterScope> Known { get; } = [Ephys, Spikes, Video, Fmri, Physio, Table, Pose];

    public static FilterScope Of(ModalityKind kind) => kind switch
    {
        ModalityKind.Ephys => Ephys,
        ModalityKind.Fmri => Fmri,
        ModalityKind.Video => Video,
        ModalityKind.Physio => Physio,
        ModalityKind.Table => Table,
        ModalityKind.Spikes => Spikes,
        _ => Pose,
    };

    /// <summary>The one stream of a modality, named as the modality.</summary>
    public static FilterStream Stream(ModalityKind kind) => new(Of(kind).Name, Of(kind));

    /// <summary>Every offered scope, with one stream of each kind loaded.</summary>
    public static FilterVocabulary Loaded(IEnumerable<ModalityKind> kinds) => new(Known, [.. kinds.Select(Stream)]);

    public static FilterVocabulary Loaded(params FilterStream[] streams) => new(Known, streams);

    /// <summary>Parses and checks rules as an export does before opening files.</summary>
    public static FilterSet Validate(IEnumerable<string> rules, FilterVocabulary vocabulary)
    {
        FilterSet set = FilterSet.Parse(rules, vocabulary);
        set.Validate(vocabulary);
        return set;
    }
}
