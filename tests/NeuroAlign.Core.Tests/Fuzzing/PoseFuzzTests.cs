using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats.Pose;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// Pose mutants: the pickled column labels of a DeepLabCut .h5 (protocols 0 and 2) and DeepLabCut
/// and SLEAP CSVs, flipped, truncated, extended and salted with control characters. The readers
/// either read them or refuse them in one line.
/// </summary>
public sealed class PoseFuzzTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, byte[]> Pickles = new()
    {
        ["protocol 0"] = Encoding.Latin1.GetBytes("(lp0\n(I1\n(lp1\n(VDLC_resnet50\np2\nVhead\np3\nVx\np4\ntp5\na(g2\ng3\nVy\np6\ntp7\na(g2\ng3\nVlikelihood\np8\ntp9\naatp14\na."),
        ["protocol 2"] = Convert.FromHexString("80025d71004b015d71012828580600000073636f72657271025804000000696e6431710358040000006e6f73657104580100000078710574710628680268036804580100000079710774710865867109612e"),
    };

    private static readonly Dictionary<string, string> Csvs = new()
    {
        ["dlc"] = "scorer,S,S,S,S,S,S\nbodyparts,a,a,a,b,b,b\ncoords,x,y,likelihood,x,y,likelihood\n0,1,2,0.5,3,4,0.5\n1,,,,3,4,0\n2,5,6,1,nan,8,0.25\n",
        ["dlc multi-animal"] = "scorer,S,S,S,S,S,S\nindividuals,m,m,m,n,n,n\nbodyparts,a,a,a,a,a,a\ncoords,x,y,likelihood,x,y,likelihood\n0,1,2,0.5,3,4,0.5\n1,1,2,0.5,3,4,0.5\n",
        ["sleap"] = "track,frame_idx,instance.score,A.x,A.y,A.score\nm,2,0.9,1,2,0.5\nf,0,0.8,3,4,0.25\n,1,nan,5,6,\n",
    };

    [Fact]
    public void Mutated_pickles_keep_the_reader_contract()
    {
        Gen<Mutant> mutants =
            from source in Gen.Elements(Pickles.Keys.ToArray())
            from edits in Mutations.Edits(Gen.Frequency(
                (3, Mutations.Flip), (2, Mutations.Truncation), (1, Mutations.Appending), (2, Mutations.ControlInsertion)))
            select new Mutant(source, edits);

        FuzzRunner.Run("pickle", mutants, 300, mutant =>
        {
            byte[] bytes = mutant.Apply(Pickles[mutant.Source]);
            return ReaderContract.Run(mutant.ToString(), [], () => RestrictedPickle.Read(bytes, "f.h5", "attribute"));
        }, output);
    }

    [Fact]
    public void Mutated_pose_csvs_keep_the_reader_contract()
    {
        Gen<Mutant> mutants =
            from source in Gen.Elements(Csvs.Keys.ToArray())
            from edits in Mutations.Edits(Gen.Frequency(
                (3, Mutations.Flip), (2, Mutations.Truncation), (1, Mutations.Appending), (2, Mutations.ControlInsertion)))
            select new Mutant(source, edits);

        using var folder = new TempFolder();
        int index = 0;
        FuzzRunner.Run("pose csv", mutants, 200, mutant =>
        {
            string path = folder.File($"case{index++}.csv");
            File.WriteAllBytes(path, mutant.Apply(Encoding.UTF8.GetBytes(Csvs[mutant.Source])));
            try
            {
                return ReaderContract.Run(mutant.ToString(), [path], () =>
                {
                    PoseData data = mutant.Source == "sleap" ? SleapCsv.Read(path) : DeepLabCutCsv.Read(path);
                    ReaderChecks.Require(data.Individuals.Count * data.Bodyparts.Count * 3 == data.ValuesPerFrame, "values per frame disagree with the names");
                    _ = data.Details();
                });
            }
            finally
            {
                File.Delete(path);
            }
        }, output);
    }
}
