using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Video.Tests;

/// <summary>
/// The parser of ffprobe's output under the reader contract, fed mutated listings rather than
/// ffprobe (issue 17): boundary values at the fields it reads (index, width, height, time_base,
/// nb_frames, start_time, pts, duration, flags), lines dropped, duplicated and cut, control
/// characters, flips. Every refusal is a one-line NeuroAlignException; what is accepted is a
/// frame index with finite, strictly increasing times.
/// </summary>
public sealed class VideoProbeFuzzTests(ITestOutputHelper output)
{
    private const string Path = "/videos/probe-fuzz.mp4";

    private static readonly string Listing =
        "stream|index=0|codec_name=h264|width=64|height=48|time_base=1/15360|r_frame_rate=30/1|nb_frames=12\n"
        + "format|format_name=mov,mp4,m4a,3gp,3g2,mj2|start_time=0.000000\n"
        + string.Concat(Enumerable.Range(0, 12).Select(k => $"packet|pts={((k % 3 == 1 ? k + 1 : k % 3 == 2 ? k - 1 : k) * 512).ToString(CultureInfo.InvariantCulture)}|duration=512|flags={(k % 6 == 0 ? "K_" : "__")}_\n"));

    private static readonly string[] Keys = ["index", "codec_name", "width", "height", "time_base", "r_frame_rate", "nb_frames", "format_name", "start_time", "pts", "duration", "flags"];

    private static readonly string[] Values =
    [
        .. Mutations.BoundaryTexts, "N/A", "0/1", "1/0", "-1/2", "1/9223372036854775807", "9223372036854775807/1", "1/1", "K", "C", "D", "KD", "K_C",
        "79228162514264337593543950335", "1e30", "-0.5", "99999999999999999999.000000", "-9223372036854775808",
    ];

    [Fact]
    public void Parser_keeps_the_contract_on_the_listing_as_ffprobe_writes_it()
    {
        FrameIndex index = VideoProbe.FromPacketListing(Path, Listing);

        Assert.Equal(12, index.FrameCount);
        Assert.Equal(Enumerable.Range(0, 12).Select(k => k * 512L), index.Pts);
        Assert.Equal(2, index.KeyframeIndices.Length);
    }

    [Fact]
    public void Mutated_ffprobe_listings_keep_the_reader_contract()
    {
        Gen<Edit> setField =
            from key in Gen.Elements(Keys)
            from value in Gen.Elements(Values)
            from nth in Gen.Choose(0, 12)
            select (Edit)new SetCompactField(key, value, nth);
        Gen<Edit> lines =
            from line in Gen.Choose(0, 14)
            from how in Gen.Elements("drop", "twice", "cut")
            select (Edit)new EditLine(line, how);
        Gen<Mutant> mutants =
            from edits in Mutations.Edits(Gen.Frequency(
                (5, setField),
                (2, lines),
                (1, Mutations.Flip),
                (1, Mutations.Truncation),
                (1, Mutations.ControlInsertion)))
            select new Mutant("ffprobe listing", edits);
        byte[] original = Encoding.UTF8.GetBytes(Listing);

        FuzzRunner.Run("ffprobe output", mutants, 200, mutant =>
        {
            string listing = Encoding.UTF8.GetString(mutant.Apply(original));
            return ReaderContract.Run(mutant.ToString(), [], () =>
            {
                FrameIndex index = VideoProbe.FromPacketListing(Path, listing);
                double[] seconds = index.Seconds();
                if (seconds.Length == 0 || seconds.Any(t => !double.IsFinite(t)) || seconds.Zip(seconds.Skip(1)).Any(p => !(p.Second > p.First)))
                {
                    throw new ContractViolationException("accepted but inconsistent: frame times not finite and strictly increasing");
                }

                if (index.Info.Width <= 0 || index.Info.Height <= 0 || index.Info.TimeBaseNumerator <= 0 || index.Info.TimeBaseDenominator <= 0)
                {
                    throw new ContractViolationException($"accepted with width {index.Info.Width}, height {index.Info.Height}, time base {index.TimeBaseText}");
                }
            });
        }, output);
    }

    /// <summary>Sets KEY=VALUE in the <paramref name="Nth"/> line that has the key (every line when none is that far).</summary>
    private sealed record SetCompactField(string Key, string Value, int Nth) : Edit
    {
        public override byte[] Apply(byte[] input)
        {
            string[] lines = Encoding.UTF8.GetString(input).Split('\n');
            int[] having = [.. Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains($"|{Key}=", StringComparison.Ordinal))];
            foreach (int i in having.Length > Nth ? [having[Nth]] : having)
            {
                lines[i] = string.Join('|', lines[i].Split('|').Select(f => f.StartsWith(Key + "=", StringComparison.Ordinal) ? $"{Key}={Value}" : f));
            }

            return Encoding.UTF8.GetBytes(string.Join('\n', lines));
        }
    }

    /// <summary>Drops a line, writes it twice, or cuts it in half.</summary>
    private sealed record EditLine(int Line, string How) : Edit
    {
        public override byte[] Apply(byte[] input)
        {
            var lines = Encoding.UTF8.GetString(input).Split('\n').ToList();
            int i = Line % lines.Count;
            switch (How)
            {
                case "drop": lines.RemoveAt(i); break;
                case "twice": lines.Insert(i, lines[i]); break;
                default: lines[i] = lines[i][..(lines[i].Length / 2)]; break;
            }

            return Encoding.UTF8.GetBytes(string.Join('\n', lines));
        }
    }
}
