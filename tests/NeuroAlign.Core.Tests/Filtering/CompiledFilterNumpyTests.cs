using System.Globalization;
using System.Runtime.InteropServices;
using NeuroAlign.Filtering;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Filtering;

/// <summary>
/// numpy as the oracle on real-shaped data: 384-channel int16 with Neuropixels 1.0 and Open Ephys
/// gains (2.34375 and 0.195 µV per bit), evaluated window by window, compared element by element
/// with the same rule written in numpy.
/// </summary>
public sealed class CompiledFilterNumpyTests
{
    private const int Channels = 384;
    private const int Samples = 6000;
    private const double RateHz = 30000;

    public static TheoryData<string, string> Rules => new()
    {
        { "signal > 0.8", "(x * g) > 0.8" },
        { "abs(signal) < 500 uV", "np.abs(x * g) < 500" },
        { "signal >= -0.1 mV and signal <= 0.1 mV or channel == 7", "((x * g >= -100) & (x * g <= 100)) | (ch == 7)" },
        { "ephys: not (t < 50 ms) && min(signal, 50) - max(signal / 2, -20) != 0", "~(t < 0.05) & ((np.minimum(x * g, 50) - np.maximum((x * g) / 2, -20)) != 0)" },
        { "-signal * 2 + 3 uV > channel / 10 * 1 uV", "((-(x * g)) * 2 + 3) > (ch / 10 * 1)" },
    };

    [RequiresTheory(Needs.Python)]
    [MemberData(nameof(Rules))]
    public void Evaluate_Int16With384Channels_MatchesNumpy(string rule, string numpyExpression)
    {
        using var folder = new TempFolder();
        var random = new Random(3);
        short[] data = Enumerable.Range(0, Samples * Channels).Select(_ => (short)(random.Next(8) == 0 ? random.Next(-32768, 32768) : random.Next(-400, 400))).ToArray();
        double[] gains = Enumerable.Range(0, Channels).Select(c => c % 2 == 0 ? 2.34375 : 0.195).ToArray();
        int[] ids = Enumerable.Range(0, Channels).Select(c => c * 2).ToArray();
        File.WriteAllBytes(folder.File("x.bin"), MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
        File.WriteAllText(folder.File("gains.txt"), string.Join("\n", gains.Select(g => g.ToString("R", CultureInfo.InvariantCulture))));

        // Window by window, as the aligner and `info` do: 1000 samples at a time.
        var target = new FilterTarget(TestScopes.Of(ModalityKind.Ephys), SampleType.Int16, Channels, gains, ids);
        CompiledFilter filter = FilterSet.Parse([rule]).Compile(target);
        var mask = new byte[data.Length];
        long ones = 0;
        const int Window = 1000;
        for (int start = 0; start < Samples; start += Window)
        {
            double[] times = Enumerable.Range(start, Window).Select(k => k / RateHz).ToArray();
            ones += filter.Evaluate(
                MemoryMarshal.AsBytes(data.AsSpan(start * Channels, Window * Channels)), times, [], mask.AsSpan(start * Channels, Window * Channels));
        }

        File.WriteAllBytes(folder.File("mask.bin"), mask);

        string script = $$"""
            import sys
            import numpy as np
            folder = sys.argv[1]
            x = np.fromfile(folder + '/x.bin', dtype='<i2').reshape(-1, {{Channels}}).astype(np.float64)
            g = np.loadtxt(folder + '/gains.txt')[None, :]
            ch = (np.arange({{Channels}}) * 2).astype(np.float64)[None, :]
            t = (np.arange(x.shape[0]) / {{RateHz}})[:, None]
            expected = np.broadcast_to({{numpyExpression}}, x.shape).astype(np.uint8)
            mask = np.fromfile(folder + '/mask.bin', dtype=np.uint8).reshape(x.shape)
            bad = np.argwhere(mask != expected)
            print(int(expected.sum()), len(bad), bad[:3].tolist())
            """;
        string[] result = Python.Run(script, folder.Path).Trim().Split(' ', 3);

        Assert.Equal("0", result[1]);
        Assert.Equal(long.Parse(result[0], CultureInfo.InvariantCulture), ones);
        Assert.InRange(ones, 1, data.Length - 1);
    }
}
