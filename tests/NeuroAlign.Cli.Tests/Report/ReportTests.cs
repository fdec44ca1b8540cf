using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NeuroAlign.TestData;
using SkiaSharp;

namespace NeuroAlign.Cli.Tests.Report;

/// <summary>
/// The QC report (issue 23) as a person sees it and against the data: the residual plot's points
/// where h5py's /sync residuals put them, the timeline's marks where the fits put them, and the
/// page rendered by headless chromium with every figure visible.
/// </summary>
public partial class ReportTests
{
    /// <summary>Okabe-Ito blue, the colour of the residual plot's points.</summary>
    private static readonly SKColor PointBlue = new(0x00, 0x72, 0xB2);

    /// <summary>Okabe-Ito orange, the first individual's pose points.</summary>
    private static readonly SKColor PoseOrange = new(0xE6, 0x9F, 0x00);

    /// <summary>Okabe-Ito reddish purple, the timeline's dummy-scan marks.</summary>
    private static readonly SKColor DummyPurple = new(0xCC, 0x79, 0xA7);

    [GeneratedRegex("<figure id=\"fig-(?<id>[^\"]+)\" data-figure=\"[^\"]+\" data-x-min=\"(?<x0>[^\"]+)\" data-x-max=\"(?<x1>[^\"]+)\" data-y-min=\"(?<y0>[^\"]+)\" data-y-max=\"(?<y1>[^\"]+)\" data-plot=\"(?<rect>[^\"]+)\"><img width=\"(?<w>\\d+)\" height=\"(?<h>\\d+)\"[^>]*src=\"(?<src>[^\"]+)\"")]
    private static partial Regex FigurePattern();

    /// <summary>A figure as the page holds it: limits, data rectangle and the decoded image.</summary>
    private sealed record PageFigure(string Id, double X0, double X1, double Y0, double Y1, double[] Rect, int Width, int Height, string Source)
    {
        public double PixelX(double x) => Rect[0] + ((x - X0) / (X1 - X0) * (Rect[2] - Rect[0]));

        public double PixelY(double y) => Rect[3] - ((y - Y0) / (Y1 - Y0) * (Rect[3] - Rect[1]));

        public SKBitmap Decode() => SKBitmap.Decode(Convert.FromBase64String(Source["data:image/png;base64,".Length..]));
    }

    private static Dictionary<string, PageFigure> Figures(string html)
    {
        double D(Match m, string g) => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        return FigurePattern().Matches(html).ToDictionary(
            m => m.Groups["id"].Value,
            m => new PageFigure(m.Groups["id"].Value, D(m, "x0"), D(m, "x1"), D(m, "y0"), D(m, "y1"),
                [.. m.Groups["rect"].Value.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture))],
                int.Parse(m.Groups["w"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture), m.Groups["src"].Value));
    }

    /// <summary>Whether a pixel within <paramref name="radius"/> of (x, y) has about <paramref name="colour"/>.</summary>
    private static bool ColourNear(SKBitmap image, double x, double y, SKColor colour, int radius = 3)
    {
        for (int dy = -radius; dy <= radius; dy++)
        {
            for (int dx = -radius; dx <= radius; dx++)
            {
                int px = (int)Math.Round(x) + dx, py = (int)Math.Round(y) + dy;
                if (px < 0 || py < 0 || px >= image.Width || py >= image.Height)
                {
                    continue;
                }

                SKColor c = image.GetPixel(px, py);
                if (Math.Abs(c.Red - colour.Red) + Math.Abs(c.Green - colour.Green) + Math.Abs(c.Blue - colour.Blue) < 40)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Probes, NIDQ and a scanner with 4 dummy scans (<see cref="SyncSessionFiles"/>), exported with --report.</summary>
    private static (string Export, string Html, string Stdout) ExportWithReport(SyncSessionFiles session, params string[] extra)
    {
        string output = session.File("o.h5");
        var (code, stdout, stderr) = CliRunner.Run(
            [
                "--ephys", session.Probe0Path, "--ephys", session.Probe1Path, "--ephys", session.NidqPath,
                "--fmri", session.FmriPath, "--fmri-sync", "ephys_2:2",
                "--times", SyncSessionFiles.Join(session.SafeTimes(5)), "--after", "0.002", "--out", output, "--report", .. extra,
            ]);
        Assert.True(code == 0, stderr);
        return (output, session.File("o.report.html"), stdout);
    }

    [RequiresFact(Needs.Python)]
    public void Report_ResidualPlot_PutsEveryPulseWhereH5pyReadsItsResidual()
    {
        using var session = new SyncSessionFiles();
        var (export, html, stdout) = ExportWithReport(session);
        Assert.Contains($"report: {html} (", stdout, StringComparison.Ordinal);

        // h5py, independently: the residuals are those of the line the attributes give, and their
        // rms and max are the attributes'; then the pulses for the picture.
        string json = Python.Run(
            """
            import sys, json, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            out = {}
            for name in ['ephys_1', 'ephys_2', 'fmri']:
                g = f['sync/' + name]
                own, ref, res = g['pulse_own_time_s'][:], g['pulse_time_s'][:], g['pulse_residual_s'][:]
                a = g.attrs
                assert len(own) == len(ref) == len(res) == a['pulses_matched'], (name, len(own), a['pulses_matched'])
                if a['method'] == 'linear':
                    assert np.allclose(res, ref - (a['slope'] * own + a['offset_s']), atol=1e-12, rtol=0), name
                assert abs(np.sqrt(np.mean(res ** 2)) - a['residual_rms_s']) < 1e-12, name
                assert abs(np.max(np.abs(res)) - a['max_residual_s']) < 1e-12, name
                out[name] = {'t': ref.tolist(), 'r': res.tolist(), 'tol': float(a.get('tolerance_s', -1.0)),
                             'start': float(f[name].attrs['reference_start_s']), 'skipped': int(a.get('leading_pulses_skipped', 0))}
            print(json.dumps(out))
            """,
            export);
        using JsonDocument truth = JsonDocument.Parse(json);
        Dictionary<string, PageFigure> figures = Figures(File.ReadAllText(html));
        foreach (string stream in new[] { "ephys_1", "ephys_2" })
        {
            JsonElement s = truth.RootElement.GetProperty(stream);
            double[] t = [.. s.GetProperty("t").EnumerateArray().Select(e => e.GetDouble())];
            double[] r = [.. s.GetProperty("r").EnumerateArray().Select(e => e.GetDouble() * 1e6)];
            double tolerance = s.GetProperty("tol").GetDouble() * 1e6;
            PageFigure figure = figures[$"sync-{stream}-residuals"];

            // The y axis (µs) holds every residual and the tolerance band, and is not much larger.
            double largest = Math.Max(r.Max(Math.Abs), tolerance);
            Assert.True(figure.Y0 <= -largest && figure.Y1 >= largest, $"{stream}: y [{figure.Y0}, {figure.Y1}] µs misses ±{largest}");
            Assert.True(figure.Y1 - figure.Y0 <= 2.5 * largest, $"{stream}: y [{figure.Y0}, {figure.Y1}] µs is far wider than ±{largest}");
            Assert.True(figure.X0 <= t.Min() && figure.X1 >= t.Max(), $"{stream}: x [{figure.X0}, {figure.X1}] s misses the pulses");

            // Each pulse is drawn where its numbers say.
            using SKBitmap image = figure.Decode();
            for (int i = 0; i < t.Length; i++)
            {
                Assert.True(ColourNear(image, figure.PixelX(t[i]), figure.PixelY(r[i]), PointBlue), $"{stream}: pulse {i} ({t[i]} s, {r[i]} µs) not drawn at ({figure.PixelX(t[i]):F0}, {figure.PixelY(r[i]):F0})");
            }
        }

        // The timeline marks the scanner's 4 dummy scans one TR apart before its first volume, on its row.
        JsonElement fmri = truth.RootElement.GetProperty("fmri");
        Assert.Equal(SyncSessionFiles.DummyScans, fmri.GetProperty("skipped").GetInt32());
        PageFigure timeline = figures["timeline"];
        using SKBitmap picture = timeline.Decode();
        double start = fmri.GetProperty("start").GetDouble();
        const double fmriRow = 0; // rows from the top: windows, ephys, ephys_1, ephys_2, fmri (y 4 … 0)
        for (int k = 1; k <= SyncSessionFiles.DummyScans; k++)
        {
            double x = timeline.PixelX(start - (k * SyncSessionFiles.Tr));
            Assert.True(ColourNear(picture, x, timeline.PixelY(fmriRow), DummyPurple, 6), $"dummy scan {k} not marked at x {x:F0}");
        }
    }

    [RequiresFact(Needs.Chromium)]
    public void Report_RenderedByChromium_ShowsEveryFigure()
    {
        using var session = new SyncSessionFiles();
        var (_, html, _) = ExportWithReport(session);
        string page = File.ReadAllText(html);

        // Self-contained: every image inlined, nothing fetched.
        Assert.DoesNotMatch("(src|href)=\"(?!data:)", page);
        Dictionary<string, PageFigure> figures = Figures(page);
        Assert.Contains("timeline", figures.Keys);
        Assert.Contains("sync-ephys_1-residuals", figures.Keys);
        Assert.Contains("sync-ephys_2-drift", figures.Keys);
        Assert.Contains(figures.Keys, k => k.StartsWith("window-", StringComparison.Ordinal) && k.EndsWith("-ephys", StringComparison.Ordinal));
        Assert.Contains(figures.Keys, k => k.StartsWith("window-", StringComparison.Ordinal) && k.EndsWith("-fmri", StringComparison.Ordinal));

        // Where chromium lays out each figure's image: a copy of the page with a script that writes
        // each image's box into the document, read back with --dump-dom.
        const int width = 1400;
        string probe = session.File("probe.html");
        File.WriteAllText(probe, page.Replace("</body>", """
            <script>
            for (const f of document.querySelectorAll('figure')) {
              const r = f.querySelector('img').getBoundingClientRect();
              f.setAttribute('data-box', [r.left + scrollX, r.top + scrollY, r.width, r.height].map(Math.round).join(','));
            }
            document.body.setAttribute('data-height', Math.ceil(document.documentElement.scrollHeight));
            </script></body>
            """, StringComparison.Ordinal));
        string dom = Chromium.DumpDom(probe, width, 1000);
        int height = int.Parse(Regex.Match(dom, "data-height=\"(\\d+)\"").Groups[1].Value, CultureInfo.InvariantCulture);
        var boxes = Regex.Matches(dom, "data-figure=\"(?<id>[^\"]+)\"[^>]*data-box=\"(?<box>[^\"]+)\"")
            .ToDictionary(m => m.Groups["id"].Value, m => m.Groups["box"].Value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        Assert.Equal(figures.Keys.Order(), boxes.Keys.Order());

        // The page as a person sees it; each figure's box must hold a drawing, not a blank or broken image.
        string shot = session.File("shot.png");
        Chromium.Screenshot(html, shot, width, height);
        using SKBitmap screen = SKBitmap.Decode(shot);
        foreach (var (id, box) in boxes)
        {
            Assert.True(box[2] >= figures[id].Width * 0.9 && box[3] >= figures[id].Height * 0.9, $"{id}: laid out at {string.Join(',', box)}, smaller than its image");
            int dark = 0, total = 0;
            var colours = new HashSet<uint>();
            for (int y = box[1]; y < Math.Min(box[1] + box[3], screen.Height); y += 2)
            {
                for (int x = box[0]; x < Math.Min(box[0] + box[2], screen.Width); x += 2)
                {
                    SKColor c = screen.GetPixel(x, y);
                    total++;
                    dark += c.Red + c.Green + c.Blue < 600 ? 1 : 0;
                    colours.Add((uint)c);
                }
            }

            Assert.True(total > 1000, $"{id}: box {string.Join(',', box)} is off the screenshot ({screen.Width}×{screen.Height})");
            Assert.True(dark > total / 100 && colours.Count > 8, $"{id}: blank where the figure should be ({dark} of {total} pixels drawn, {colours.Count} colours)");
        }
    }

    [Slow]
    [RequiresFact(Needs.Ffmpeg | Needs.Python)]
    public void Report_WithPoseAndSpikes_PointsOverTheFrameAndEachSpikeOnTheRaster()
    {
        using var session = new SyncSessionFiles();
        string video = session.WriteVideo();
        string pose = session.File("pose.csv");
        var csv = new StringBuilder("scorer,DLC,DLC,DLC\nbodyparts,nose,nose,nose\ncoords,x,y,likelihood\n");
        for (int r = 0; r < session.Exposures.Length; r++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r},5,4,0.9\n");
        }

        File.WriteAllText(pose, csv.ToString());
        string ks = session.File("ks");
        SyntheticKilosort.Write(ks, KilosortLayout.Kilosort25, [29_000, 30_000, 30_300, 31_500, 60_000], [2, 4, 2, 7, 4], "run.bin", 30000);
        string output = session.File("o.h5");
        var (code, _, stderr) = CliRunner.Run("--video", video, "--pose", pose, "--spikes", ks, "--time", "1", "--before", "0.1", "--after", "0.1", "--out", output, "--report");
        Assert.True(code == 0, stderr);

        // The truth: the window's spikes as h5py reads them (ms from the window's time, unit row).
        string[] spikes = Python.Run(
            """
            import sys, h5py
            f = h5py.File(sys.argv[1], 'r')
            g, t = f['spikes'], f['windows/time'][0]
            a, b = g['window_offsets'][0], g['window_offsets'][1]
            for s, u in zip(g['spike_times'][a:b], g['spike_units'][a:b]):
                print(repr((s - t) * 1e3), int(u))
            """,
            output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, spikes.Length);

        Dictionary<string, PageFigure> figures = Figures(File.ReadAllText(session.File("o.report.html")));
        PageFigure raster = figures.Single(f => f.Key.StartsWith("window-0-spikes", StringComparison.Ordinal)).Value;
        using SKBitmap rasterImage = raster.Decode();
        foreach (string line in spikes)
        {
            string[] parts = line.Split(' ');
            double ms = double.Parse(parts[0], CultureInfo.InvariantCulture), unit = double.Parse(parts[1], CultureInfo.InvariantCulture);
            Assert.True(ColourNear(rasterImage, raster.PixelX(ms), raster.PixelY(unit), PointBlue), $"no tick at {ms} ms, unit row {unit}");
        }

        PageFigure frame = figures.Single(f => f.Key.StartsWith("window-0-video", StringComparison.Ordinal)).Value;
        using SKBitmap frameImage = frame.Decode();
        Assert.True(ColourNear(frameImage, frame.PixelX(5), frame.PixelY(4), PoseOrange, radius: 2), "no pose point at (5, 4) px over the frame");
        Assert.False(ColourNear(frameImage, frame.PixelX(12), frame.PixelY(9), PoseOrange, radius: 2), "a pose point where the pose file has none");
    }

    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Report_RunWithGaps_GapsKeptInTheExportAndLeftEmptyOnTheTimeline()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlxRun.RunFile[] triggers = [new(0, 0, 1000, 3000), new(0, 1, 9000, 3000), new(0, 2, 30000, 3000)];
        SyntheticSpikeGlxRun.Write(folder.Path, "rec", triggers);
        string output = folder.File("o.h5");
        var (code, _, stderr) = CliRunner.Run("--ephys", Path.Combine(folder.Path, "rec_g0"), "--time", "0.05", "--after", "0.01", "--out", output, "--report");
        Assert.True(code == 0, stderr);

        // Truth: time zero is the run's first sample; a gap runs from one trigger's end to the next one's start.
        double Seconds(long counter) => (counter - triggers[0].FirstSample) / SyntheticSpikeGlxRun.RateHz;
        double[] expected = [Seconds(4000), Seconds(9000), Seconds(12000), Seconds(30000)];
        string stored = Python.Run("import sys, h5py; print(' '.join(repr(float(v)) for v in h5py.File(sys.argv[1], 'r')['ephys/reference_gaps_s'][:].ravel()))", output).Trim();
        double[] gaps = [.. stored.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
        Assert.Equal(expected.Length, gaps.Length);
        for (int i = 0; i < gaps.Length; i++)
        {
            Assert.Equal(expected[i], gaps[i], 1e-12);
        }

        PageFigure timeline = Figures(File.ReadAllText(folder.File("o.report.html")))["timeline"];
        using SKBitmap image = timeline.Decode();
        SKColor bar = new(102, 170, 209); // Okabe-Ito blue at 60 % over white: the first stream's bar
        double row = 0; // the only stream's row (the windows' row is above it)
        Assert.True(ColourNear(image, timeline.PixelX((expected[1] + expected[2]) / 2), timeline.PixelY(row), bar), "the bar is missing between the gaps");
        Assert.False(ColourNear(image, timeline.PixelX((expected[0] + expected[1]) / 2), timeline.PixelY(row), bar), "the first gap is drawn as recorded");
        Assert.False(ColourNear(image, timeline.PixelX((expected[2] + expected[3]) / 2), timeline.PixelY(row), bar), "the second gap is drawn as recorded");
    }

    [Fact]
    public void SyncPlot_DrawsOnePanelPerFittedStream()
    {
        using var session = new SyncSessionFiles();
        string png = session.File("residuals.png");
        var (code, stdout, stderr) = CliRunner.Run(
            "sync", "--ephys", session.Probe0Path, "--ephys", session.Probe1Path, "--ephys", session.NidqPath,
            "--fmri", session.FmriPath, "--fmri-sync", "ephys_2:2", "--plot", png);
        Assert.True(code == 0, stderr);
        Assert.Contains($"plot: {png} (residuals of ephys_1, ephys_2, fmri)", stdout, StringComparison.Ordinal);
        using SKBitmap image = SKBitmap.Decode(png);
        Assert.Equal(800, image.Width);
        Assert.Equal(3 * 320, image.Height);
        for (int panel = 0; panel < 3; panel++)
        {
            int blue = 0;
            for (int y = panel * 320; y < (panel + 1) * 320; y++)
            {
                for (int x = 0; x < image.Width; x++)
                {
                    blue += ColourNear(image, x, y, PointBlue, 0) ? 1 : 0;
                }
            }

            Assert.True(blue > 20, $"panel {panel}: no pulses drawn");
        }
    }

    [Fact]
    public void SyncReport_TimelineAndEveryFitsPlots_NothingElseWritten()
    {
        using var session = new SyncSessionFiles();
        string[] before = Directory.GetFiles(session.Folder);
        string html = session.File("fits.html");
        var (code, stdout, stderr) = CliRunner.Run(
            "sync", "--ephys", session.Probe0Path, "--ephys", session.NidqPath, "--fmri", session.FmriPath, "--fmri-sync", "ephys_1:2",
            "--report", "--html", html);
        Assert.True(code == 0, stderr);
        Assert.Contains($"report: {html} (5 figures)", stdout, StringComparison.Ordinal);
        string[] expected = ["sync-ephys_1-drift", "sync-ephys_1-residuals", "sync-fmri-drift", "sync-fmri-residuals", "timeline"];
        Assert.Equal(expected, Figures(File.ReadAllText(html)).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(before.Append(html).Order(), Directory.GetFiles(session.Folder).Order());
    }

    [Fact]
    public void SyncPlot_WithoutFittedStream_OneLineAndNoFile()
    {
        using var session = new SyncSessionFiles();
        string png = session.File("residuals.png");
        var (code, _, stderr) = CliRunner.Run("sync", "--ephys", session.Probe0Path, "--plot", png);
        Assert.Equal(1, code);
        Assert.Equal("neuro-align: error: --plot " + png + ": nothing to draw: no stream was fitted to pulses (give a second --ephys stream with a shared sync line, --video-sync, --fmri-sync or --video-led)", stderr.TrimEnd());
        Assert.False(File.Exists(png));
    }

    [Fact]
    public void Batch_WithReport_OneReportPerSessionAndAnIndexLinkingThem()
    {
        using var session = new SyncSessionFiles();
        string manifest = session.File("study.tsv");
        File.WriteAllText(manifest, $"session\tephys\ttime\nfirst\t{session.Probe0Path}\t1\nlate\t{session.Probe1Path}\t{SyncSessionFiles.Seconds + 5}\n");
        string outDir = session.File("out");
        var (code, stdout, stderr) = CliRunner.Run("batch", manifest, "--out-dir", outDir, "--after", "0.01", "--report");
        Assert.True(code == 0, stderr);
        string index = Path.Combine(outDir, "index.html");
        Assert.Contains($"report index: {index}", stdout, StringComparison.Ordinal);
        string page = File.ReadAllText(index);
        foreach (string name in new[] { "first", "late" })
        {
            Assert.True(File.Exists(Path.Combine(outDir, $"{name}.report.html")), name);
            Assert.Contains($"<a href=\"{name}.report.html\">", page, StringComparison.Ordinal);
        }

        // The late session's window lies after its recording: the index says so on its row.
        Assert.Matches("<td>late</td><td>1</td><td class=\"warn\">1 of 1 windows reach outside a recording", page);
        Assert.Matches("<td>first</td><td>1</td><td>none</td>", page);
    }

    [Fact]
    public void Report_OfAFileThatIsNoExport_OneLineAndNothingWritten()
    {
        using var folder = new TempFolder();
        string notExport = folder.File("notes.h5");
        File.WriteAllText(notExport, "not HDF5");
        var (code, _, stderr) = CliRunner.Run("report", notExport, "--html", folder.File("r.html"));
        Assert.Equal(1, code);
        Assert.StartsWith($"neuro-align: error: {notExport}", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Equal([notExport], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Report_NeverReplacesAPageThatIsNoReport()
    {
        using var session = new SyncSessionFiles();
        var (export, _, _) = ExportWithReport(session);
        string page = session.File("mine.html");
        File.WriteAllText(page, "<html>my notes</html>");
        var (code, _, stderr) = CliRunner.Run("report", export, "--html", page);
        Assert.Equal(2, code);
        Assert.Contains("exists and is no NeuroAlign report; give --overwrite to replace it", stderr, StringComparison.Ordinal);
        Assert.Equal("<html>my notes</html>", File.ReadAllText(page));

        (code, _, stderr) = CliRunner.Run("report", export, "--html", page, "--overwrite");
        Assert.True(code == 0, stderr);
        Assert.Contains("<title>NeuroAlign QC report: o.h5</title>", File.ReadAllText(page), StringComparison.Ordinal);
    }
}
