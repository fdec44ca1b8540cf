using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats.Pose;
using NeuroAlign.Hdf5.Pose;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Hdf5.Tests.Pose;

/// <summary>
/// Mutated real pose HDF5 files (a DeepLabCut .h5 written by PyTables and two SLEAP analysis .h5
/// files, all with a version 0 superblock): flips anywhere and in the first 4 KiB (superblock, root
/// object header, root group B-tree and heap), truncation, appended bytes. Each is read or refused
/// in one line within the reader contract's allocation limit.
/// </summary>
public sealed class PoseHdf5FuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Sources = ["DLC_sample_poses.h5", "small_robot.000_small_robot_3_frame.analysis.h5", "predictions.analysis.h5"];

    [RequiresFact(Needs.SharedData)]
    public void Mutated_pose_hdf5_files_keep_the_reader_contract()
    {
        using var folder = new TempFolder();
        Dictionary<string, byte[]> originals = Sources.ToDictionary(s => s, s => File.ReadAllBytes(RepoPaths.Shared("pose", s)));
        Gen<Edit> one = Gen.Frequency(
            (3, Mutations.Flip),
            (4, Mutations.FlipWithin(4096)),
            (2, Mutations.Truncation),
            (1, Mutations.Appending));
        Gen<Mutant> mutants =
            from source in Gen.Elements(Sources)
            from edits in Mutations.Edits(one, 3)
            select new Mutant(source, edits);
        int index = 0;

        FuzzRunner.Run("pose hdf5", mutants, 60, mutant =>
        {
            string path = folder.File($"case{index++}.h5");
            File.WriteAllBytes(path, mutant.Apply(originals[mutant.Source]));
            try
            {
                return ReaderContract.Run(mutant.ToString(), [path], () =>
                {
                    PoseData data = PoseFiles.Read(path);
                    if (data.FrameCount < 0 || data.Bodyparts.Count == 0)
                    {
                        throw new ContractViolationException($"{data.FrameCount} frames of {data.Bodyparts.Count} bodyparts accepted");
                    }

                    _ = data.Details();
                });
            }
            finally
            {
                File.Delete(path);
            }
        }, output);
    }

    /// <summary>
    /// DeepLabCut tables as pandas stores them with complib='zlib' (shuffle + deflate), and deflate
    /// alone, over several chunks: mutants reach the chunk reading (the B-tree's chunk keys, the
    /// stored bytes that must inflate, unshuffle and decode), not only the PyTables metadata.
    /// </summary>
    [RequiresFact(Needs.Python)]
    public void Mutated_compressed_deeplabcut_tables_keep_the_reader_contract()
    {
        using var folder = new TempFolder();
        string[] kinds = ["zlib", "zlib-no-shuffle"];
        var originals = new Dictionary<string, byte[]>();
        foreach (string kind in kinds)
        {
            string source = folder.File($"{kind}.h5");
            Python.Run(
                """
                import sys, numpy as np, pandas as pd, tables
                path, kind = sys.argv[1], sys.argv[2]
                columns = pd.MultiIndex.from_product([['DLC_fuzz'], ['nose', 'tail'], ['x', 'y', 'likelihood']], names=['scorer', 'bodyparts', 'coords'])
                values = np.round(np.random.default_rng(9).random((3000, 6)) * 640, 1)
                pd.DataFrame(values, columns=columns).to_hdf(path, key='df_with_missing', format='table', mode='w', complevel=5, complib='zlib')
                if kind == 'zlib-no-shuffle':
                    with tables.open_file(path, 'a') as f:
                        group = f.root.df_with_missing
                        group.table.copy(group, 'plain', filters=tables.Filters(complevel=5, complib='zlib', shuffle=False))
                        group.table.remove()
                        group.plain.move(group, 'table')
                """,
                source,
                kind);
            originals[kind] = File.ReadAllBytes(source);
            Assert.StartsWith("3 chunks", PoseFiles.Read(source).Details().Single(d => d.Key == "read").Value, StringComparison.Ordinal);
        }

        Gen<Edit> one = Gen.Frequency(
            (4, Mutations.Flip),
            (2, Mutations.FlipWithin(4096)),
            (1, Mutations.Truncation));
        Gen<Mutant> mutants =
            from source in Gen.Elements(kinds)
            from edits in Mutations.Edits(one, 3)
            select new Mutant(source, edits);
        int index = 0;

        FuzzRunner.Run("deeplabcut zlib table", mutants, 60, mutant =>
        {
            string path = folder.File($"case{index++}.h5");
            File.WriteAllBytes(path, mutant.Apply(originals[mutant.Source]));
            try
            {
                return ReaderContract.Run(mutant.ToString(), [path], () =>
                {
                    PoseData data = PoseFiles.Read(path);
                    // A flip of the table's row count may leave a shorter table that is still whole; a longer one cannot pass the index check.
                    if (data.FrameCount is <= 0 or > 3000 || data.Bodyparts.Count != 2)
                    {
                        throw new ContractViolationException($"{data.FrameCount} frames of {data.Bodyparts.Count} bodyparts accepted (3000 of 2 written)");
                    }
                });
            }
            finally
            {
                File.Delete(path);
            }
        }, output);
    }
}
