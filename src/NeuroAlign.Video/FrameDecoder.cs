using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace NeuroAlign.Video;

/// <summary>
/// Decodes frames by index with one ffmpeg process that keeps running forward: sorted requests
/// (the windows of an export) are served in one pass, and the process is restarted with a seek
/// only when a request jumps backwards or so far ahead that seeking is cheaper than decoding on.
/// Every frame ffmpeg delivers is identified by its pts (printed by the showinfo filter on
/// stderr, in the same order as frames leave on stdout) and checked against the index, so a frame
/// is never taken on trust from a seek. The most recent frames are kept in a small ring so that
/// overlapping windows and repeated indices do not restart the process.
/// </summary>
internal sealed class FrameDecoder : IDisposable
{
    /// <summary>Frames' worth of decoding that a restart (process start, probe, seek) costs on top of decoding from the keyframe.</summary>
    internal const int RestartCostFrames = 30;

    /// <summary>Memory kept for recently decoded frames.</summary>
    private const long RingBudgetBytes = 64L * 1024 * 1024;

    private readonly FfmpegTools _tools;
    private readonly string _path;
    private readonly FrameIndex _index;
    private readonly VideoColor _color;
    private readonly FrameSize _outputSize;
    private readonly bool _scale;
    private readonly int _frameBytes;
    private byte[]? _ring;
    private readonly int _ringCapacity;
    private long _ringEnd;
    private int _ringCount;
    private DecoderProcess? _process;

    public FrameDecoder(FfmpegTools tools, string path, FrameIndex index, VideoColor color, FrameSize outputSize, bool scale)
    {
        _tools = tools;
        _path = path;
        _index = index;
        _color = color;
        _outputSize = outputSize;
        _scale = scale;
        _frameBytes = checked(outputSize.Width * outputSize.Height * (color == VideoColor.Rgb ? 3 : 1));
        _ringCapacity = (int)Math.Clamp(RingBudgetBytes / _frameBytes, 2, 512);
    }

    /// <summary>Bytes of one decoded frame.</summary>
    public int FrameBytes => _frameBytes;

    /// <summary>ffmpeg processes started so far (one per seek).</summary>
    public int ProcessesStarted { get; private set; }

    /// <summary>Frames received from ffmpeg so far.</summary>
    public long FramesReceived { get; private set; }

    /// <summary>Copies frame <paramref name="index"/> into <paramref name="destination"/>.</summary>
    public void ReadFrame(long index, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _index.FrameCount);
        if (!InRing(index))
        {
            if (_process is null || index < _ringEnd || index - _ringEnd > index - _index.KeyframeAtOrBefore(index) + RestartCostFrames)
            {
                Restart(index);
            }

            while (_ringEnd <= index)
            {
                ReceiveNext();
            }
        }

        RingSlot(index).CopyTo(destination);
    }

    public void Dispose()
    {
        _process?.Dispose();
        _process = null;
    }

    private bool InRing(long index) => _ringCount > 0 && index < _ringEnd && index >= _ringEnd - _ringCount;

    // Allocated on the first decode: opening a video (for `info`, or to read its clock) costs no frame memory.
    private Span<byte> RingSlot(long index) =>
        (_ring ??= new byte[checked(_ringCapacity * _frameBytes)]).AsSpan((int)(index % _ringCapacity) * _frameBytes, _frameBytes);

    /// <summary>
    /// Starts ffmpeg so that its first frame is <paramref name="target"/> or an earlier one; when a
    /// seek lands past the target (a demuxer that seeks imprecisely), seeks further back, and in
    /// the end decodes from the start.
    /// </summary>
    private void Restart(long target)
    {
        for (int attempt = 0; ; attempt++)
        {
            long? seekMicroseconds = SeekPoint(target, attempt);
            _process?.Dispose();
            _process = null;
            _ringCount = 0;
            _process = new DecoderProcess(FfmpegTools.Start(_tools.FfmpegPath, Arguments(seekMicroseconds)));
            ProcessesStarted++;
            long first = ReceiveFirst();
            if (first <= target)
            {
                return;
            }

            if (seekMicroseconds is null)
            {
                throw Mismatch(target, $"decoding from the start began at frame {first}");
            }
        }
    }

    /// <summary>
    /// The -ss value (µs after the container's start) for frame <paramref name="target"/>: halfway
    /// between it and the previous frame, so ffmpeg's accurate seek (a trim at that time) drops
    /// the previous frame and keeps the target. Null: decode from the start.
    /// </summary>
    private long? SeekPoint(long target, int attempt)
    {
        if (target == 0 || attempt >= 2)
        {
            return null;
        }

        long here = _index.MicrosecondsFloor(_index.Pts[target]);
        long before = _index.MicrosecondsFloor(_index.Pts[target - 1]);
        long threshold = before + ((here - before + 1) / 2);
        if (attempt == 1)
        {
            threshold -= 10_000_000;
        }

        long seek = threshold - _index.Info.FormatStartMicroseconds;
        return seek > 0 ? seek : null;
    }

    private List<string> Arguments(long? seekMicroseconds)
    {
        var arguments = new List<string> { "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", "-copyts", "-noautorotate" };
        if (seekMicroseconds is long us)
        {
            arguments.Add("-ss");
            arguments.Add(string.Create(CultureInfo.InvariantCulture, $"{us / 1_000_000}.{us % 1_000_000:D6}"));
        }

        string filters = "showinfo=checksum=0" + (_scale ? string.Create(CultureInfo.InvariantCulture, $",scale={_outputSize.Width}:{_outputSize.Height}") : string.Empty);
        arguments.AddRange(
        [
            "-i", _path,
            "-map", string.Create(CultureInfo.InvariantCulture, $"0:{_index.Info.StreamIndex}"),
            "-an", "-sn", "-dn",
            "-vf", filters,
            "-fps_mode", "passthrough",
            "-pix_fmt", _color == VideoColor.Rgb ? "rgb24" : "gray",
            "-f", "rawvideo", "-",
        ]);
        return arguments;
    }

    /// <summary>Receives the first frame after a start, wherever it is; returns its index.</summary>
    private long ReceiveFirst()
    {
        long pts = NextPts(expected: -1);
        long index = _index.IndexOfPts(pts);
        if (index < 0)
        {
            throw new InvalidRecordingException(
                _path, "decoded frame", $"pts {pts} (time base {_index.TimeBaseText})", "a presentation time listed in the container's packets");
        }

        ReadInto(index);
        return index;
    }

    private void ReceiveNext()
    {
        long expected = _ringEnd;
        long pts = NextPts(expected);
        if (pts != _index.Pts[expected])
        {
            throw Mismatch(expected, $"ffmpeg delivered pts {pts}, the index says {_index.Pts[expected]} (time base {_index.TimeBaseText})");
        }

        ReadInto(expected);
    }

    private void ReadInto(long index)
    {
        try
        {
            _process!.Output.ReadExactly(RingSlot(index));
        }
        catch (EndOfStreamException)
        {
            throw Ended(index);
        }

        _ringEnd = index + 1;
        _ringCount = Math.Min(_ringCount + 1, _ringCapacity);
        FramesReceived++;
    }

    private long NextPts(long expected)
    {
        DecoderProcess process = _process!;
        if (!process.TryTakePts(out long pts))
        {
            throw Ended(expected);
        }

        if (process.TimeBase is (long num, long den) && (num != _index.Info.TimeBaseNumerator || den != _index.Info.TimeBaseDenominator))
        {
            // ffmpeg feeds the filters in the stream's time base; anything else means the pts we
            // compare are in different units.
            throw new InvalidRecordingException(
                _path, "decoder time base", $"{num}/{den}", $"{_index.TimeBaseText}, the stream's time base");
        }

        return pts;
    }

    private InvalidRecordingException Mismatch(long frame, string found) =>
        new(_path, $"frame {frame}", found, "the frame the container's index lists there (corrupt or undecodable video?)");

    private InvalidRecordingException Ended(long frame)
    {
        string reason = _process?.LastError() ?? string.Empty;
        return new InvalidRecordingException(
            _path,
            frame >= 0 ? $"frame {frame}" : "first frame",
            reason.Length > 0 ? $"ffmpeg stopped (\"{reason}\")" : "ffmpeg stopped before delivering it",
            $"a decodable frame (the index lists {_index.FrameCount})");
    }

    /// <summary>One running ffmpeg: frames on stdout, their pts parsed from stderr by a reader thread.</summary>
    private sealed class DecoderProcess : IDisposable
    {
        private readonly Process _process;
        private readonly BlockingCollection<long> _pts = new(new ConcurrentQueue<long>());
        private readonly ConcurrentQueue<string> _errors = new();
        private readonly Thread _stderrReader;

        public DecoderProcess(Process process)
        {
            _process = process;
            Output = process.StandardOutput.BaseStream;
            _stderrReader = new Thread(ReadErrors) { IsBackground = true, Name = "ffmpeg stderr" };
            _stderrReader.Start();
        }

        public Stream Output { get; }

        public (long Num, long Den)? TimeBase { get; private set; }

        public bool TryTakePts(out long pts)
        {
            try
            {
                pts = _pts.Take();
                return true;
            }
            catch (InvalidOperationException)
            {
                pts = 0;
                return false;
            }
        }

        /// <summary>The last line ffmpeg printed that was not a frame report (its error, usually).</summary>
        public string LastError()
        {
            _stderrReader.Join(TimeSpan.FromSeconds(5));
            return _errors.LastOrDefault() ?? string.Empty;
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                }

                _process.WaitForExit();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _stderrReader.Join(TimeSpan.FromSeconds(5));
            _process.Dispose();
            _pts.Dispose();
        }

        private void ReadErrors()
        {
            try
            {
                string? line;
                while ((line = _process.StandardError.ReadLine()) is not null)
                {
                    if (Showinfo.TryParseFrame(line, out long? pts, out _))
                    {
                        _pts.Add(pts ?? long.MinValue);
                        continue;
                    }

                    if (Showinfo.TryParseTimeBase(line, out long num, out long den))
                    {
                        TimeBase = (num, den);
                        continue;
                    }

                    if (Showinfo.IsError(line))
                    {
                        _errors.Enqueue(line.Trim());
                        while (_errors.Count > 20)
                        {
                            _errors.TryDequeue(out _);
                        }
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The process was killed while we read; nothing more will come.
            }
            finally
            {
                _pts.CompleteAdding();
            }
        }
    }
}
