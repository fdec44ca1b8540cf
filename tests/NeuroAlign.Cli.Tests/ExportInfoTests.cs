using System.Diagnostics;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// <c>info</c> on a file neuro-align wrote: its windows, labels, streams and codec (the filter
/// pipeline as h5py lists it), each stream's first window decoded, in a process of its own as a user
/// runs it (a process that has not written the file has not registered the codecs' filters).
/// </summary>
public class ExportInfoTests
{
    private const string Events = "onset\tduration\ttrial_type\n0.25\t1\tgo\n0.5\t1\tstop\n1.0\t1\tgo\n";

    public static TheoryData<string[], string, string> Codecs => new()
    {
        { [], "gzip 1 after byte shuffle (every HDF5 reader)", "2,1:1" },
        { ["--compression", "none"], "uncompressed (every HDF5 reader)", "" },
        { ["--compression", "zstd", "--level", "1"], "zstd 1 after byte shuffle (readers need hdf5plugin)", "2,32015:1" },
        { ["--compression", "zstd", "--level", "-3"], "zstd -3 after byte shuffle (readers need hdf5plugin)", "2,32015:4294967293" },
        { ["--compression", "lz4"], "lz4 after byte shuffle (readers need hdf5plugin", "2,32004:0" },
        { ["--compression", "bitshuffle-lz4"], "bitshuffle-lz4 (readers need hdf5plugin", "32008:0" },
        { ["--compression", "bitshuffle-zstd", "--level", "5"], "bitshuffle-zstd 5 (readers need hdf5plugin", "32008:0" },
    };

    [RequiresTheory(Needs.Python)]
    [MemberData(nameof(Codecs))]
    public void Info_AnExportOfEachCodec_NamesItsCodecAndDecodesIt_InAFreshProcess(string[] codec, string expected, string pipeline)
    {
        using var folder = new TempFolder();
        string recording = folder.File("r.dat");
        SyntheticEphys.WriteInt16(recording, 60_000, 4);
        string events = folder.File("events.tsv");
        File.WriteAllText(events, Events);
        string output = folder.File("out.h5");
        string plain = folder.File("plain.h5");
        string[] command = ["--ephys", recording, "--ephys-channels", "4", "--events", events, "--after", "0.5", "--filter", "signal > 100"];
        var export = CliRunner.Run([.. command, .. codec, "--out", output]);
        var uncompressed = CliRunner.Run([.. command, "--compression", "none", "--out", plain]);
        Assert.True(export.Code == 0, export.Error);
        Assert.True(uncompressed.Code == 0, uncompressed.Error);

        var (code, stdout, stderr) = RunProcess("info", output);

        Assert.True(code == 0, stderr);
        string[] lines = stdout.Split('\n');
        Assert.Equal(output, lines[0]);
        Assert.Contains(lines, l => l.Contains("NeuroAlign export, schema 2", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("3, at 0.25 s to 1 s on the reference clock, from 0 s before to 0.5 s after each", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("labels:", StringComparison.Ordinal) && l.Contains("duration (numbers), trial_type (text)", StringComparison.Ordinal));
        string stream = Assert.Single(lines, l => l.TrimStart().StartsWith("ephys:", StringComparison.Ordinal));
        Assert.Contains("ephys from r.dat: data [3, 15000, 4] int16 at 30000 Hz, " + expected, stream, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("every stream's first window decoded", StringComparison.Ordinal));

        // The oracle: the pipeline as libhdf5 lists it (no plugin needed for that), and the kept
        // fractions from the same command's uncompressed export (Debian's h5py has no zstd to read them here).
        string[] facts = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            p = f['ephys/data'].id.get_create_plist()
            print(','.join(str(p.get_filter(i)[0]) for i in range(p.get_nfilters())) + (':' + str(p.get_filter(p.get_nfilters() - 1)[2][0]) if p.get_nfilters() else ''))
            print('%.2f' % (100 * h5py.File(sys.argv[2], 'r')['ephys/kept_fraction'][:].mean()))
            """,
            output,
            plain).Split('\n');
        Assert.Equal(pipeline, facts[0].Trim());
        Assert.Contains(lines, l => l.Contains("ephys filter:", StringComparison.Ordinal) && l.Contains($"signal > 100: kept {facts[1].Trim()} %", StringComparison.Ordinal));
    }

    [RequiresFact(Needs.Python)]
    public void Report_AZstdExport_InAFreshProcess()
    {
        // The report reads the export back: in a process of its own, zstd's filter must be registered by the reader.
        using var folder = new TempFolder();
        string recording = folder.File("r.dat");
        SyntheticEphys.WriteInt16(recording, 60_000, 4);
        string output = folder.File("out.h5");
        var export = CliRunner.Run("--ephys", recording, "--ephys-channels", "4", "--times", "0.5,1", "--after", "0.2", "--compression", "zstd", "--out", output);
        Assert.True(export.Code == 0, export.Error);

        var (code, stdout, stderr) = RunProcess("report", output);

        Assert.True(code == 0, stderr + stdout);
        Assert.True(new FileInfo(Path.ChangeExtension(output, ".report.html")).Length > 10_000);
    }

    [Slow]
    [RequiresFact(Needs.Python | Needs.Ffmpeg)]
    public void Info_TheDemoExport_SaysEachStreamsSyncAsTheFileStoresIt()
    {
        using var folder = new TempFolder();
        var demo = CliRunner.Run("demo", "--dir", folder.Path);
        Assert.True(demo.Code == 0, demo.Error);
        string output = Path.Combine(folder.Path, "aligned.h5");

        var (code, stdout, stderr) = CliRunner.Run("info", output);

        Assert.True(code == 0, stderr);
        string sync = Python.Run(
            """
            import sys, h5py
            f = h5py.File(sys.argv[1], 'r')
            for m in ('ephys_1', 'video'):
                a = f['sync'][m].attrs
                print('%s sync: %s, drift %.3f ppm, max residual %.1f µs' % (m, a['method'], a['drift_ppm'], a['max_residual_s'] * 1e6))
            """,
            output);
        foreach (string line in sync.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(": ", 2);
            Assert.Contains(stdout.Split('\n'), l => l.TrimStart().StartsWith(parts[0] + ":", StringComparison.Ordinal) && l.Contains(parts[1].Trim(), StringComparison.Ordinal));
        }

        Assert.Contains("video from behaviour.avi: data [1, 30, 48, 64] uint8", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(" sync:", stdout.Split('\n').Single(l => l.TrimStart().StartsWith("ephys:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    /// <summary>neuro-align in a process of its own, as a user runs it.</summary>
    private static (int Code, string Out, string Error) RunProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "neuro-align.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "neuro-align " + string.Join(' ', args) + ": still running after 2 min");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
