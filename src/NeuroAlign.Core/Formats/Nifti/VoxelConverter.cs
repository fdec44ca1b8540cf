using System.Numerics;
using System.Runtime.InteropServices;
using NeuroAlign.Streams;

namespace NeuroAlign.Formats.Nifti;

/// <summary>
/// Turns one stored volume (x fastest, "Fortran order", NIfTI-1 §dim) into scaled float32 values in
/// C order [X, Y, Z] (z fastest), the layout numpy/h5py read back as <c>data[x, y, z]</c>, the same
/// axes as nibabel's <c>get_fdata()[x, y, z, t]</c>.
/// </summary>
internal sealed class VoxelConverter
{
    private const int Tile = 16;

    private readonly SampleType _type;
    private readonly bool _swap;
    private readonly bool _scale;
    private readonly double _slope;
    private readonly double _intercept;
    private readonly int _x;
    private readonly int _y;
    private readonly int _z;
    private readonly byte[] _swapped;
    private readonly float[] _fortran;

    public VoxelConverter(SampleType type, bool swapBytes, (double Slope, double Intercept) scaling, IReadOnlyList<int> shape)
    {
        _type = type;
        _swap = swapBytes && type.SizeOf() > 1;
        _slope = scaling.Slope;
        _intercept = scaling.Intercept;
        _scale = _slope != 1 || _intercept != 0;
        _x = shape[0];
        _y = shape[1];
        _z = shape[2];
        int voxels = checked(_x * _y * _z);
        _swapped = _swap ? new byte[voxels * type.SizeOf()] : [];
        _fortran = new float[voxels];
    }

    /// <summary>Converts <paramref name="stored"/> (one volume as stored) into <paramref name="destination"/> (X·Y·Z floats, C order).</summary>
    public void Convert(ReadOnlySpan<byte> stored, Span<float> destination)
    {
        if (_swap)
        {
            stored.CopyTo(_swapped);
            InterleavedBinaryStream.SwapInPlace(_swapped, _type.SizeOf());
            stored = _swapped;
        }

        Span<float> values = _fortran;
        if (!_scale && TryConvertExactly(stored, values))
        {
            Transpose(values, destination);
            return;
        }

        switch (_type)
        {
            case SampleType.UInt8: ToFloat<byte>(stored, values); break;
            case SampleType.Int8: ToFloat<sbyte>(stored, values); break;
            case SampleType.Int16: ToFloat<short>(stored, values); break;
            case SampleType.UInt16: ToFloat<ushort>(stored, values); break;
            case SampleType.Int32: ToFloat<int>(stored, values); break;
            case SampleType.UInt32: ToFloat<uint>(stored, values); break;
            case SampleType.Int64: ToFloat<long>(stored, values); break;
            case SampleType.UInt64: ToFloat<ulong>(stored, values); break;
            case SampleType.Float32: ToFloat<float>(stored, values); break;
            case SampleType.Float64: ToFloat<double>(stored, values); break;
            default: throw new InvalidOperationException($"unsupported element type {_type}");
        }

        Transpose(values, destination);
    }

    /// <summary>
    /// Unscaled types whose every value is exact in float32 (8- and 16-bit integers, float32):
    /// converted with SIMD widening, the common case of dcm2niix's int16 output.
    /// </summary>
    private bool TryConvertExactly(ReadOnlySpan<byte> stored, Span<float> values)
    {
        switch (_type)
        {
            case SampleType.Float32:
                MemoryMarshal.Cast<byte, float>(stored)[..values.Length].CopyTo(values);
                return true;
            case SampleType.Int16:
                WidenInt16(MemoryMarshal.Cast<byte, short>(stored)[..values.Length], values);
                return true;
            case SampleType.UInt16:
                WidenUInt16(MemoryMarshal.Cast<byte, ushort>(stored)[..values.Length], values);
                return true;
            case SampleType.UInt8:
            case SampleType.Int8:
                // Few datasets use 8-bit voxels; the scalar loop is exact and short.
                return false;
            default:
                return false;
        }
    }

    private static void WidenInt16(ReadOnlySpan<short> source, Span<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int step = Vector<short>.Count, half = Vector<int>.Count;
            for (; i <= source.Length - step; i += step)
            {
                Vector.Widen(new Vector<short>(source[i..]), out Vector<int> low, out Vector<int> high);
                Vector.ConvertToSingle(low).CopyTo(values[i..]);
                Vector.ConvertToSingle(high).CopyTo(values[(i + half)..]);
            }
        }

        for (; i < source.Length; i++)
        {
            values[i] = source[i];
        }
    }

    private static void WidenUInt16(ReadOnlySpan<ushort> source, Span<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int step = Vector<ushort>.Count, half = Vector<uint>.Count;
            for (; i <= source.Length - step; i += step)
            {
                Vector.Widen(new Vector<ushort>(source[i..]), out Vector<uint> low, out Vector<uint> high);
                Vector.ConvertToSingle(low).CopyTo(values[i..]);
                Vector.ConvertToSingle(high).CopyTo(values[(i + half)..]);
            }
        }

        for (; i < source.Length; i++)
        {
            values[i] = source[i];
        }
    }

    /// <summary>
    /// value = stored × slope + intercept, computed in float64 and rounded once to float32: the same
    /// numbers as nibabel's get_fdata() (float64) cast to float32.
    /// </summary>
    private void ToFloat<T>(ReadOnlySpan<byte> stored, Span<float> values)
        where T : unmanaged, INumberBase<T>
    {
        ReadOnlySpan<T> source = MemoryMarshal.Cast<byte, T>(stored)[..values.Length];
        if (_scale)
        {
            for (int i = 0; i < source.Length; i++)
            {
                values[i] = (float)((double.CreateTruncating(source[i]) * _slope) + _intercept);
            }
        }
        else
        {
            for (int i = 0; i < source.Length; i++)
            {
                values[i] = (float)double.CreateTruncating(source[i]);
            }
        }
    }

    /// <summary>
    /// Reverses the axis order: source index x + X·(y + Y·z), destination index (x·Y + y)·Z + z.
    /// For each y this is a transpose of a Z × X plane, done in tiles so both sides stay in cache.
    /// </summary>
    private unsafe void Transpose(ReadOnlySpan<float> source, Span<float> destination)
    {
        int x = _x, y = _y, z = _z;
        if (source.Length > destination.Length)
        {
            throw new ArgumentException("destination is smaller than a volume", nameof(destination));
        }

        if (z == 1 && y == 1 || x == 1 && y == 1 || x == 1 && z == 1)
        {
            // One non-trivial axis: both orders are the same sequence.
            source.CopyTo(destination);
            return;
        }

        int sourcePlane = x * y, destinationRow = y * z;
        fixed (float* from = source)
        fixed (float* to = destination)
        {
            for (int j = 0; j < y; j++)
            {
                for (int z0 = 0; z0 < z; z0 += Tile)
                {
                    int z1 = Math.Min(z0 + Tile, z);
                    for (int x0 = 0; x0 < x; x0 += Tile)
                    {
                        int x1 = Math.Min(x0 + Tile, x);
                        for (int k = z0; k < z1; k++)
                        {
                            float* row = from + (k * sourcePlane) + (j * x);
                            float* column = to + (j * z) + k;
                            for (int i = x0; i < x1; i++)
                            {
                                column[i * destinationRow] = row[i];
                            }
                        }
                    }
                }
            }
        }
    }
}
