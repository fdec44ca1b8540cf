using System.Globalization;
using NeuroAlign.Alignment;
using NeuroAlign.Sessions;
using ScottPlot;

namespace NeuroAlign.Report;

/// <summary>
/// One window drawn as a user would look at it: ephys traces of a block of channels with a µV scale
/// bar, the video frame at the window's time (with pose points over it when the export has pose), a
/// slice of the fMRI volume, a spike raster, other signals as lines; rows a filter rejects shaded.
/// </summary>
public static class WindowFigures
{
    /// <summary>Channels drawn of an ephys stream.</summary>
    public const int MaxChannels = 8;

    /// <summary>Channels named so are digital or auxiliary lines, not electrodes: drawn only when a stream has nothing else.</summary>
    private static readonly string[] AuxiliaryPrefixes = ["SY", "XA", "XD", "MA", "MD"];

    /// <summary>Every modality of window <paramref name="w"/> drawn, as figures in the export's stream order.</summary>
    public static IReadOnlyList<ReportFigure> Draw(ExportSummary export, int w)
    {
        ArgumentNullException.ThrowIfNull(export);
        double t = export.WindowTimes[w];
        var figures = new List<ReportFigure>();
        var buffers = new Dictionary<int, WindowBuffer>();
        WindowBuffer Read(int m)
        {
            if (!buffers.TryGetValue(m, out WindowBuffer? buffer))
            {
                buffer = new WindowBuffer(export.Modalities[m]);
                export.Reader.ReadWindow(m, w, buffer);
                buffers[m] = buffer;
            }

            return buffer;
        }

        for (int m = 0; m < export.Modalities.Count; m++)
        {
            ModalityLayout layout = export.Modalities[m];
            string modality = layout.Attributes.GetValueOrDefault(OutputSchema.ModalityAttribute) as string ?? "";
            string id = $"window-{w}-{layout.Name}";
            ReportFigure? figure = modality switch
            {
                "ephys" => Traces(layout, Read(m), t, id, microvolts: true),
                "video" => Frame(layout, Read(m), t, id, PoseFor(export, layout.Name) is int pose ? (export.Modalities[pose], Read(pose)) : null),
                "fmri" => Slice(layout, Read(m), t, id),
                "spikes" => Raster(layout, Read(m), t, id),
                "pose" => null, // drawn over its camera's frame
                _ when layout.SampleShape.Count <= 1 => Traces(layout, Read(m), t, id, microvolts: false),
                _ => null,
            };
            if (figure != null)
            {
                figures.Add(figure);
            }
        }

        return figures;
    }

    /// <summary>The pose group drawn over camera <paramref name="video"/>: the one whose clock_stream names it, else the only pose group.</summary>
    private static int? PoseFor(ExportSummary export, string video)
    {
        var poses = export.Modalities.Select((l, i) => (l, i)).Where(x => x.l.Attributes.GetValueOrDefault(OutputSchema.ModalityAttribute) as string == "pose").ToList();
        var named = poses.Where(x => x.l.Attributes.GetValueOrDefault("clock_stream") as string == video).ToList();
        return named.Count > 0 ? named[0].i : poses.Count == 1 && export.Modalities.Count(l => l.Attributes.GetValueOrDefault(OutputSchema.ModalityAttribute) as string == "video") == 1 ? poses[0].i : null;
    }

    /// <summary>Element <paramref name="i"/> of a typed array as a double (on the exact element type: a ushort[] passes as short[]).</summary>
    internal static double At(Array a, long i) => Type.GetTypeCode(a.GetType().GetElementType()) switch
    {
        TypeCode.Byte => ((byte[])a)[i],
        TypeCode.SByte => ((sbyte[])a)[i],
        TypeCode.Int16 => ((short[])a)[i],
        TypeCode.UInt16 => ((ushort[])a)[i],
        TypeCode.Int32 => ((int[])a)[i],
        TypeCode.UInt32 => ((uint[])a)[i],
        TypeCode.Int64 => ((long[])a)[i],
        TypeCode.UInt64 => ((ulong[])a)[i],
        TypeCode.Single => ((float[])a)[i],
        TypeCode.Double => ((double[])a)[i],
        _ => throw new ArgumentException($"unsupported element array {a.GetType().Name}", nameof(a)),
    };

    /// <summary>The grid row nearest the window's time.</summary>
    private static int RowAt(WindowBuffer b, double t)
    {
        int best = 0;
        for (int k = 1; k < b.Timestamps.Length; k++)
        {
            if (Math.Abs(b.Timestamps[k] - t) < Math.Abs(b.Timestamps[best] - t))
            {
                best = k;
            }
        }

        return best;
    }

    /// <summary>A 1-2-5 number not above <paramref name="x"/>.</summary>
    internal static double NiceBelow(double x)
    {
        if (!(x > 0))
        {
            return 1;
        }

        double p = Math.Pow(10, Math.Floor(Math.Log10(x)));
        return new[] { 5 * p, 2 * p, p }.First(v => v <= x);
    }

    private static ReportFigure Traces(ModalityLayout layout, WindowBuffer b, double t, string id, bool microvolts)
    {
        int channels = layout.SampleShape.Count == 0 ? 1 : layout.SampleShape[0];
        int n = layout.PointsPerWindow;
        string[] names = layout.ExtraDatasets.GetValueOrDefault("channel_names") as string[]
            ?? layout.ExtraDatasets.GetValueOrDefault("columns") as string[]
            ?? [.. Enumerable.Range(0, channels).Select(c => c.ToString(CultureInfo.InvariantCulture))];
        double[] gain = microvolts && layout.Attributes.GetValueOrDefault("units") as string != "uV" && layout.ExtraDatasets.GetValueOrDefault("gain_to_uV") is double[] g ? g : [.. Enumerable.Repeat(1.0, channels)];
        int[] electrodes = [.. Enumerable.Range(0, channels).Where(c => c >= names.Length || !AuxiliaryPrefixes.Any(p => names[c].StartsWith(p, StringComparison.Ordinal)))];
        int[] drawn = [.. (electrodes.Length > 0 ? electrodes : Enumerable.Range(0, channels)).Take(MaxChannels)];

        var plot = new Plot();
        double[] x = [.. b.Timestamps.Select(ts => (ts - t) * 1e3)];
        var values = drawn.Select(c => Enumerable.Range(0, n).Select(k => At(b.Data, ((long)k * channels) + c) * gain[c]).ToArray()).ToArray();
        double spacing = 1;
        foreach (double[] v in values)
        {
            double[] sorted = [.. v.Order()];
            double range = sorted.Length == 0 ? 0 : sorted[(int)(0.98 * (sorted.Length - 1))] - sorted[(int)(0.02 * (sorted.Length - 1))];
            spacing = Math.Max(spacing, range * 1.3);
        }

        ShadeRows(plot, x, k => b.SourceIndex[k] < 0, Colors.Gray.WithAlpha(0.25));
        if (b.Mask is { } mask)
        {
            ShadeRows(plot, x, k => b.SourceIndex[k] >= 0 && drawn.Any(c => mask[((long)k * channels) + c] == 0), Palette.Vermillion.WithAlpha(0.2));
        }

        var ticks = new List<(double, string)>();
        for (int i = 0; i < drawn.Length; i++)
        {
            double baseline = -i * spacing;
            double mean = values[i].Length > 0 ? values[i].Average() : 0;
            var line = plot.Add.ScatterLine(x, values[i].Select(v => v - mean + baseline).ToArray(), Palette.Of(i));
            line.LineWidth = 1;
            ticks.Add((baseline, drawn[i] < names.Length ? names[drawn[i]] : drawn[i].ToString(CultureInfo.InvariantCulture)));
        }

        string unit = microvolts ? "µV" : layout.Attributes.GetValueOrDefault("units") as string ?? "units";
        double bar = NiceBelow(spacing * 0.8);
        double xEnd = x.Length > 0 ? x[^1] : 1, xStart = x.Length > 0 ? x[0] : 0;
        double barX = xEnd + ((xEnd - xStart) * 0.02);
        var scale = plot.Add.Line(barX, 0, barX, bar);
        scale.LineWidth = 3;
        scale.LineColor = Palette.Black;
        var label = plot.Add.Text($"{bar.ToString("G", CultureInfo.InvariantCulture)} {unit}", barX, bar);
        label.LabelFontSize = 12;
        label.LabelAlignment = ScottPlot.Alignment.LowerCenter;
        plot.Axes.SetLimitsX(xStart, xEnd + ((xEnd - xStart) * 0.08));
        plot.Axes.SetLimitsY(-((drawn.Length - 0.5) * spacing), 1.2 * spacing);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks.Select(p => p.Item1)], [.. ticks.Select(p => p.Item2)]);
        plot.XLabel("time from the window's time (ms)");
        plot.YLabel(microvolts ? "channel" : "column");
        plot.Title($"{layout.Name}: {drawn.Length} of {channels} channels at t = {t.ToString("0.######", CultureInfo.InvariantCulture)} s");
        string shading = b.Mask is null ? "" : "; vermillion: rows the filter rejects";
        return ReportFigure.Render(plot, id, $"{layout.Name}: channels {string.Join(", ", ticks.Select(p => p.Item2))}; gray: outside the recording{shading}.", 640, Math.Max(240, 110 + (drawn.Length * 40)));
    }

    /// <summary>Shades runs of grid rows where <paramref name="shade"/> holds, as x spans.</summary>
    private static void ShadeRows(Plot plot, double[] x, Func<int, bool> shade, Color color)
    {
        double step = x.Length > 1 ? x[1] - x[0] : 1;
        for (int k = 0; k < x.Length; k++)
        {
            if (!shade(k))
            {
                continue;
            }

            int start = k;
            while (k + 1 < x.Length && shade(k + 1))
            {
                k++;
            }

            var span = plot.Add.HorizontalSpan(x[start] - (step / 2), x[k] + (step / 2));
            span.FillStyle.Color = color;
            span.LineStyle.Width = 0;
        }
    }

    private static ReportFigure Frame(ModalityLayout layout, WindowBuffer b, double t, string id, (ModalityLayout Layout, WindowBuffer Buffer)? pose)
    {
        int height = layout.SampleShape[0], width = layout.SampleShape[1];
        bool rgb = layout.SampleShape.Count == 3;
        int k = RowAt(b, t);
        long frameElements = (long)height * width * (rgb ? 3 : 1);
        var gray = new double[height, width];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                long i = (k * frameElements) + (((long)y * width) + x) * (rgb ? 3 : 1);
                gray[y, x] = rgb ? (0.299 * At(b.Data, i)) + (0.587 * At(b.Data, i + 1)) + (0.114 * At(b.Data, i + 2)) : At(b.Data, i);
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(gray);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        heatmap.FlipVertically = true;
        heatmap.ManualRange = new ScottPlot.Range(0, 255);
        string poseText = "";
        // 2-D points (x, y, score) only: 3-D pose (x, y, z, score) is not drawn over a frame.
        if (pose is { } p && p.Layout.SampleShape is [_, _, 3])
        {
            int individuals = p.Layout.SampleShape[0], parts = p.Layout.SampleShape[1];
            int row = RowAt(p.Buffer, t);
            for (int ind = 0; ind < individuals; ind++)
            {
                var xs = new List<double>();
                var ys = new List<double>();
                for (int part = 0; part < parts; part++)
                {
                    long i = ((((long)row * individuals) + ind) * parts + part) * 3;
                    double px = At(p.Buffer.Data, i), py = At(p.Buffer.Data, i + 1);
                    if (double.IsFinite(px) && double.IsFinite(py))
                    {
                        xs.Add(px);
                        ys.Add(py);
                    }
                }

                if (xs.Count > 0)
                {
                    var points = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), Palette.Of(ind + 1));
                    points.MarkerSize = 9;
                    points.MarkerShape = MarkerShape.FilledCircle;
                }
            }

            poseText = $"; dots: {p.Layout.Name}'s points at its row nearest the window's time";
        }

        plot.Axes.SetLimits(-0.5, width - 0.5, height - 0.5, -0.5);
        plot.XLabel("x (pixels)");
        plot.YLabel("y (pixels)");
        bool outside = b.SourceIndex[k] < 0;
        plot.Title($"{layout.Name}: frame {(outside ? "outside the recording" : b.SourceIndex[k].ToString(CultureInfo.InvariantCulture))} at {b.Timestamps[k].ToString("0.######", CultureInfo.InvariantCulture)} s");
        int figureWidth = 560;
        int figureHeight = Math.Clamp((int)(figureWidth * (double)height / width) + 60, 200, 700);
        return ReportFigure.Render(plot, id, $"{layout.Name}: the frame shown at the window's time{(rgb ? " (luminance of the RGB frame)" : "")}{poseText}.", figureWidth, figureHeight);
    }

    private static ReportFigure Slice(ModalityLayout layout, WindowBuffer b, double t, string id)
    {
        int nx = layout.SampleShape[0], ny = layout.SampleShape[1], nz = layout.SampleShape.Count > 2 ? layout.SampleShape[2] : 1;
        int k = RowAt(b, t), z = nz / 2;
        long volume = (long)nx * ny * nz;
        var image = new double[ny, nx];
        for (int x = 0; x < nx; x++)
        {
            for (int y = 0; y < ny; y++)
            {
                // [x, y, z] in C order, as nibabel's get_fdata() axes; y grows upwards in the picture.
                image[ny - 1 - y, x] = At(b.Data, (k * volume) + ((((long)x * ny) + y) * nz) + z);
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(image);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        plot.Axes.SetLimits(-0.5, nx - 0.5, -0.5, ny - 0.5);
        plot.XLabel("x (voxels)");
        plot.YLabel("y (voxels)");
        bool outside = b.SourceIndex[k] < 0;
        plot.Title($"{layout.Name}: volume {(outside ? "outside the run" : b.SourceIndex[k].ToString(CultureInfo.InvariantCulture))}, slice z = {z}");
        return ReportFigure.Render(plot, id, $"{layout.Name}: slice z = {z} of {nz} of the volume at the window's time, gray scale from its smallest to its largest value.", 480, 420);
    }

    private static ReportFigure? Raster(ModalityLayout layout, WindowBuffer b, double t, string id)
    {
        if (b.Ragged is not { } rows || layout.Ragged is not { } ragged)
        {
            return null;
        }

        int timesColumn = ragged.Columns.ToList().FindIndex(c => c.Name == OutputSchema.SpikeTimes);
        int unitsColumn = ragged.Columns.ToList().FindIndex(c => c.Name == OutputSchema.SpikeUnits);
        if (timesColumn < 0 || unitsColumn < 0)
        {
            return null;
        }

        double[] x = [.. Enumerable.Range(0, rows.Count).Select(i => (At(rows.Columns[timesColumn], i) - t) * 1e3)];
        double[] y = [.. Enumerable.Range(0, rows.Count).Select(i => At(rows.Columns[unitsColumn], i))];
        var plot = new Plot();
        if (x.Length > 0)
        {
            var ticks = plot.Add.ScatterPoints(x, y, Palette.Blue);
            ticks.MarkerShape = MarkerShape.VerticalBar;
            ticks.MarkerSize = 10;
            ticks.MarkerLineWidth = 2; // a 1-pixel tick blends into the background when it falls between pixels
        }

        int units = layout.SampleShape.Count > 0 ? layout.SampleShape[0] : 1;
        double before = b.Timestamps.Length > 0 ? (b.Timestamps[0] - t) * 1e3 : 0;
        double after = b.Timestamps.Length > 0 ? (b.Timestamps[^1] - t) * 1e3 : 1;
        plot.Axes.SetLimits(before, after, -0.5, units - 0.5);
        plot.XLabel("time from the window's time (ms)");
        plot.YLabel("unit (index into unit_ids)");
        plot.Title($"{layout.Name}: {x.Length} spikes of {units} units");
        return ReportFigure.Render(plot, id, $"{layout.Name}: each spike of the window as a tick on its unit's row.", 640, Math.Clamp(120 + (units * 6), 240, 600));
    }
}
