using System.Globalization;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Hdf5;
using NeuroAlign.Sessions;

namespace NeuroAlign.Cli.Commands;

/// <summary>`neuro-align merge OUT SHARD...`: joins the shard files of one export into the file a single process writes.</summary>
internal static class MergeCommand
{
    public static readonly Setting<bool> RemoveShards = Setting.Switch("remove-shards", "delete the shard files once the merged file is complete");

    /// <summary>Compression as for export; when neither is given, as the shards were written.</summary>
    public static readonly IReadOnlyList<Setting> Settings = [.. CompressionSettings.All, RemoveShards, ExportSettings.Overwrite];

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count < 2)
        {
            throw new UsageException("merge needs the output file and the shard files: neuro-align merge OUT SHARD... (a folder stands for the .h5 files in it)");
        }

        string output = args.Positionals[0];
        List<string> shards = [];
        foreach (string given in args.Positionals.Skip(1))
        {
            if (Directory.Exists(given))
            {
                string[] inFolder = Directory.GetFiles(given, "*.h5").Order(StringComparer.Ordinal).ToArray();
                if (inFolder.Length == 0)
                {
                    throw new NeuroAlignException($"merge: {given} is a folder without .h5 files");
                }

                shards.AddRange(inFolder);
            }
            else if (File.Exists(given))
            {
                shards.Add(given);
            }
            else
            {
                throw new NeuroAlignException($"merge: {given}: no such shard file");
            }
        }

        Hdf5SinkOptions? options = CompressionSettings.Options(args.Values);

        var progress = new ProgressReporter(context.Error, context.IsTerminal);
        MergeSummary summary;
        try
        {
            summary = ShardMerger.Merge(
                shards,
                output,
                options,
                new Dictionary<string, object>
                {
                    ["merged_shards"] = (long)shards.Count,
                    ["merge_command_line"] = context.CommandLine,
                },
                progress,
                args.Values.Has(ExportSettings.Overwrite),
                context.Cancellation);
        }
        finally
        {
            progress.Finish();
        }

        bool remove = args.Values.Has(RemoveShards);
        if (remove)
        {
            foreach (string shard in shards)
            {
                File.Delete(shard);
            }
        }

        context.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"wrote {output}: {summary.WindowCount} window(s) from {summary.ShardCount} shards, {summary.BytesCopied / 1e6:F1} MB of aligned data in {summary.Elapsed.TotalSeconds:F2} s{(remove ? "; shard files removed" : string.Empty)}"));
        return 0;
    }
}
