using System.Globalization;

namespace NeuroAlign.Video.Tests.Support;

/// <summary>Frame times computed independently: ffprobe's packet pts, sorted and scaled by numpy.</summary>
internal static class NumpyOracle
{
    private const string Script = """
import subprocess, sys
import numpy as np
path = sys.argv[1]
tb = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=time_base",
                     "-of", "csv=p=0", path], capture_output=True, text=True, check=True).stdout.strip()
num, den = (int(x) for x in tb.split("/"))
out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts",
                      "-of", "csv=p=0", path], capture_output=True, text=True, check=True).stdout.split()
pts = np.sort(np.array([int(x) for x in out], dtype=np.int64))
times = pts * num / den
print("\n".join(repr(float(t)) for t in times))
""";

    public static double[] FrameTimes(string video)
    {
        string output = ExternalTools.RunText(ExternalTools.DebianPython, ["-c", Script, video]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => double.Parse(line, CultureInfo.InvariantCulture))
            .ToArray();
    }
}
