using System.Text;

namespace NeuroAlign.Video.Tests.Support;

/// <summary>The independent tools the tests use as oracles: Debian's ffmpeg/ffprobe and numpy (skips: <see cref="TestData.Needs"/>).</summary>
internal static class ExternalTools
{
    public const string DebianPython = TestData.Python.Executable;

    /// <summary>../shared/data (the real sample files); tests that use it need <see cref="TestData.Needs.SharedData"/>.</summary>
    public static string SharedData => TestData.RepoPaths.SharedData;

    /// <summary>Runs a tool and returns its stdout bytes; fails the test with its stderr when it fails.</summary>
    public static byte[] Run(string tool, IEnumerable<string> arguments) => TestData.Ffmpeg.RunTool(tool, arguments);

    public static string RunText(string tool, IEnumerable<string> arguments) => Encoding.UTF8.GetString(Run(tool, arguments));

    /// <summary>ffmpeg -y -v error ARGS.</summary>
    public static void Ffmpeg(params string[] arguments) => TestData.Ffmpeg.Run(arguments);

    /// <summary>The decoding oracle: a full sequential ffmpeg decode (see <see cref="TestData.Ffmpeg.FullDecode"/>).</summary>
    public static byte[] FullDecode(string video, string pixelFormat, string? scale = null) => TestData.Ffmpeg.FullDecode(video, pixelFormat, scale);
}
