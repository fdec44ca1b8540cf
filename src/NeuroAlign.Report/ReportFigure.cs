using ScottPlot;

namespace NeuroAlign.Report;

/// <summary>
/// One drawn figure: its PNG, and where its data went (axis limits in data units, and the data
/// area's rectangle in the image's pixels) so that a test can check the picture against the numbers.
/// </summary>
/// <param name="Id">A stable name in the page: <c>timeline</c>, <c>sync-ephys_1-residuals</c>…</param>
/// <param name="Caption">What the figure shows, one sentence.</param>
/// <param name="Png">The image.</param>
/// <param name="Width">Image width, pixels.</param>
/// <param name="Height">Image height, pixels.</param>
/// <param name="Limits">The axes' limits in data units (x left to right, y bottom to top).</param>
/// <param name="DataRect">The data area in the image's pixels.</param>
public sealed record ReportFigure(string Id, string Caption, byte[] Png, int Width, int Height, AxisLimits Limits, PixelRect DataRect)
{
    /// <summary>Renders <paramref name="plot"/> to a PNG of the given size and keeps where its data went.</summary>
    public static ReportFigure Render(Plot plot, string id, string caption, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        Image image = plot.GetImage(width, height);
        byte[] png = image.GetImageBytes(ImageFormat.Png);
        return new ReportFigure(id, caption, png, width, height, plot.Axes.GetLimits(), plot.LastRender.DataRect);
    }

    /// <summary>The image's pixel column of data x (after rendering).</summary>
    public double PixelX(double x) => DataRect.Left + ((x - Limits.Left) / (Limits.Right - Limits.Left) * DataRect.Width);

    /// <summary>The image's pixel row of data y (after rendering; rows grow downwards).</summary>
    public double PixelY(double y) => DataRect.Bottom - ((y - Limits.Bottom) / (Limits.Top - Limits.Bottom) * DataRect.Height);
}
