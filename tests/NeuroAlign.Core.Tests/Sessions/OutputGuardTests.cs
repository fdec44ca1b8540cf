using System.Diagnostics;
using NeuroAlign.Sessions;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Sessions;

/// <summary>
/// <see cref="OutputGuard"/> decides whether an existing output belongs to an input folder by the
/// output's ancestry (the folders above it, as named and as the kernel resolves them), not by
/// listing the folder (issue 17). Oracle: the file system itself: folders, symbolic and hard links
/// made here, whose truth is known; and the number of folder listings the check made.
/// </summary>
public sealed class OutputGuardTests(ITestOutputHelper output)
{
    private static bool NotOurs(string path) => false;

    private static string Refusal(string output, string[] inputs, bool overwrite = true) =>
        Assert.Throws<SettingException>(() => OutputGuard.Check(output, inputs, overwrite, NotOurs)).Message;

    [Fact]
    public void Check_OutputInsideAFolderOf2000Files_RefusedWithoutListingIt() => InsideABigFolder(2_000);

    [Fact]
    [Slow]
    public void Check_OutputInsideAFolderOf50000Files_RefusedWithoutListingIt() => InsideABigFolder(50_000);

    private void InsideABigFolder(int files)
    {
        using var folder = new TempFolder();
        string big = folder.File("big");
        Directory.CreateDirectory(big);
        for (int i = 0; i < files; i++)
        {
            File.Create(Path.Combine(big, $"f{i:D5}.dat")).Dispose();
        }

        string inside = Path.Combine(big, "f01000.dat");
        string outside = folder.File("elsewhere.dat");
        File.WriteAllText(outside, "not ours");
        int listings = OutputGuard.FolderListings;
        var clock = Stopwatch.StartNew();

        string message = Refusal(inside, [big]);
        TimeSpan refused = clock.Elapsed;
        OutputGuard.Check(outside, [big], overwrite: true, NotOurs); // not in the folder: replaced with --overwrite
        TimeSpan allowed = clock.Elapsed - refused;

        Assert.Contains($"is {inside}, a file of the input {big}", message);
        Assert.Equal(listings, OutputGuard.FolderListings);

        // A hard link outside the folder to a file in it has no name under the folder: only then is it listed.
        string alias = folder.File("alias.dat");
        Links.Hard(inside, alias);
        clock.Restart();
        Assert.Contains($"a file of the input {big}", Refusal(alias, [big]));
        TimeSpan listed = clock.Elapsed;
        Assert.Equal(listings + 1, OutputGuard.FolderListings);
        output.WriteLine($"{files} files: refused inside in {refused.TotalMilliseconds:F2} ms, allowed outside in {allowed.TotalMilliseconds:F2} ms (no listing); a hard link outside, found by listing, in {listed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void Check_OutputReachedThroughLinkedFolders_Refused()
    {
        using var folder = new TempFolder();
        string session = folder.File("session");
        Directory.CreateDirectory(Path.Combine(session, "deep", "er"));
        string file = Path.Combine(session, "deep", "settings.xml");
        File.WriteAllText(file, "<x/>");
        string linkedSession = folder.File("linked-session");
        Directory.CreateSymbolicLink(linkedSession, session);
        Directory.CreateDirectory(folder.File("b"));
        string linkedDeep = folder.File("b/deep-link");
        Directory.CreateSymbolicLink(linkedDeep, Path.Combine(session, "deep", "er"));
        string fileLink = folder.File("file-link.xml");
        File.CreateSymbolicLink(fileLink, file);
        int listings = OutputGuard.FolderListings;

        // The input named through a link, the output by its real path; and the other way round.
        Assert.Contains("a file of the input", Refusal(file, [linkedSession]));
        Assert.Contains("a file of the input", Refusal(Path.Combine(linkedSession, "deep", "settings.xml"), [session]));

        // A symbolic link to a file of the folder, from outside it.
        Assert.Contains("a file of the input", Refusal(fileLink, [session]));

        // A link to a folder deep inside: the folders named above b/deep-link/x are b and the
        // temporary folder; those the kernel walks above it are er, deep and session.
        File.WriteAllText(Path.Combine(session, "deep", "er", "x.bin"), "x");
        Assert.Contains("a file of the input", Refusal(Path.Combine(linkedDeep, "x.bin"), [session]));
        Assert.Equal(listings, OutputGuard.FolderListings);

        // A file beside the folder is not in it.
        string beside = folder.File("beside.xml");
        File.WriteAllText(beside, "x");
        Assert.Contains("exists and is not a NeuroAlign output", Refusal(beside, [session], overwrite: false));
        OutputGuard.Check(beside, [session, linkedSession], overwrite: true, NotOurs);
    }

    [Fact]
    public void Check_CompanionsFoundByName_HardLinkedCompanionByListing()
    {
        using var folder = new TempFolder();
        string recording = folder.File("rec.dat");
        string sidecar = folder.File("rec.json");
        string other = folder.File("other.json");
        foreach (string path in new[] { recording, sidecar, other })
        {
            File.WriteAllText(path, "x");
        }

        string linkedFolder = folder.File("linked");
        Directory.CreateSymbolicLink(linkedFolder, folder.Path);
        int listings = OutputGuard.FolderListings;

        Assert.Contains($"is {sidecar}, a file of the input {recording}", Refusal(sidecar, [recording]));
        Assert.Contains("a file of the input", Refusal(Path.Combine(linkedFolder, "rec.json"), [recording]));
        Assert.Contains("a file of the input", Refusal(sidecar, [Path.Combine(linkedFolder, "rec.dat")]));
        OutputGuard.Check(other, [recording], overwrite: true, NotOurs);
        Assert.Equal(listings, OutputGuard.FolderListings);

        Directory.CreateDirectory(folder.File("out"));
        string alias = folder.File("out/alias.h5");
        Links.Hard(sidecar, alias);
        Assert.Contains("a file of the input", Refusal(alias, [recording]));
        Assert.Equal(listings + 1, OutputGuard.FolderListings);
    }

    /// <summary>Links made the way a user makes them.</summary>
    private static class Links
    {
        public static void Hard(string target, string link)
        {
            using var ln = Process.Start(new ProcessStartInfo("ln", [target, link]) { RedirectStandardError = true })!;
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }
    }

    [Fact]
    public void TryPublishNew_NameFree_MovesTheFile()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File(".out.partial"), "finished");

        Assert.True(OutputGuard.TryPublishNew(folder.File(".out.partial"), folder.File("out.h5")));

        Assert.Equal(["out.h5"], folder.FileNames());
        Assert.Equal("finished", File.ReadAllText(folder.File("out.h5")));
    }

    [Fact]
    public void TryPublishNew_NameTaken_KeepsBothFiles()
    {
        // The check-then-rename of File.Move(overwrite: false) would replace a file that appeared just before the rename.
        using var folder = new TempFolder();
        File.WriteAllText(folder.File(".out.partial"), "ours");
        File.WriteAllText(folder.File("out.h5"), "another process's");

        Assert.False(OutputGuard.TryPublishNew(folder.File(".out.partial"), folder.File("out.h5")));

        Assert.Equal("another process's", File.ReadAllText(folder.File("out.h5")));
        Assert.Equal("ours", File.ReadAllText(folder.File(".out.partial")));
    }
}
