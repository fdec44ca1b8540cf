using NeuroAlign.Sessions;

namespace NeuroAlign.Formats.Containers;

/// <summary>
/// A file that holds objects of several modalities, each named by an address after <c>#</c>
/// (<c>session.nwb#units</c>): NWB. Its reader lives where its file library does (NWB in
/// NeuroAlign.Hdf5, which talks to PureHDF). What it can hand each modality is a separate
/// <see cref="IContainerOpener"/> (docs/architecture.md, "Adding a source format").
/// </summary>
public interface IContainerFormat
{
    /// <summary>The format's name in messages ("NWB").</summary>
    string Name { get; }

    /// <summary>Whether the file part of <paramref name="path"/> (before any <c>#ADDRESS</c>) is of this format.</summary>
    bool Claims(string path);

    /// <summary>
    /// A name for the file's own clock, the same for every object of one file (<c>nwb:/full/path</c>):
    /// objects of one file share it, so the second of them takes the first's placement.
    /// </summary>
    string ClockName(string path);
}

/// <summary>
/// What reads one kind of object from one container format. Each modality that takes objects from
/// containers declares, in its own folder, the interface its openers implement (its key:
/// <c>ISpikesOpener</c>, <c>ITableOpener</c>, …); a container format implements the ones it can
/// in its own folder; the front end registers each opener with one line.
/// </summary>
public interface IContainerOpener
{
    /// <summary>The format whose files this opener reads.</summary>
    IContainerFormat Format { get; }
}

/// <summary>The container openers known to this process, looked up by the kind a modality asks for.</summary>
public static class ContainerSources
{
    private static readonly List<IContainerOpener> Registered = [];
    private static readonly Lock Guard = new();

    /// <summary>Adds openers (each type once: openers hold no state, so registering one again does nothing) and returns them.</summary>
    public static IReadOnlyList<IContainerOpener> Register(IReadOnlyList<IContainerOpener> openers)
    {
        ArgumentNullException.ThrowIfNull(openers);
        lock (Guard)
        {
            foreach (IContainerOpener opener in openers)
            {
                if (!Registered.Any(o => o.GetType() == opener.GetType()))
                {
                    Registered.Add(opener);
                }
            }
        }

        return openers;
    }

    /// <summary>The registered container format whose file <paramref name="path"/> names, or null.</summary>
    public static IContainerFormat? FormatOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (Guard)
        {
            return Registered.Select(o => o.Format).FirstOrDefault(f => f.Claims(path));
        }
    }

    /// <summary>
    /// The opener of kind <typeparamref name="TOpener"/> for <paramref name="path"/>: null when no
    /// registered container format claims the path (it is some other format's file).
    /// </summary>
    /// <param name="path">FILE or FILE#ADDRESS.</param>
    /// <param name="what">What the caller reads, for the message when the container has no such objects ("sorted spikes").</param>
    /// <exception cref="NeuroAlignException">A container claims the path but nothing reads <paramref name="what"/> from it.</exception>
    public static TOpener? Find<TOpener>(string path, string what)
        where TOpener : class, IContainerOpener
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (Guard)
        {
            if (Registered.Select(o => o.Format).FirstOrDefault(f => f.Claims(path)) is not { } format)
            {
                return null;
            }

            return Registered.OfType<TOpener>().FirstOrDefault(o => o.Format == format)
                ?? throw new NeuroAlignException($"{path}: {what} cannot be read from a {format.Name} file");
        }
    }

    /// <summary>
    /// Places a stream read from a container on the file's own clock: the first stream of that
    /// file opened places the others (their times count the same seconds); leading the session,
    /// the file's zero is time zero; else it is placed as any stream is (an offset, shared pulses).
    /// </summary>
    public static OpenedStream OnFileClock(IContainerFormat format, string path, OpenedStream stream, IReadOnlyList<SessionStream> opened)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(opened);
        string clockName = format.ClockName(path);
        return stream with
        {
            AcquisitionClock = clockName,
            ClockOf = opened.FirstOrDefault(s => s.Opened.AcquisitionClock == clockName)?.Name,
            TimesOnReferenceClock = opened.Count == 0,
        };
    }
}
