using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NeuroAlign.Streams;

namespace NeuroAlign.Filtering;

/// <summary>A double comparison, as a vector mask and as a scalar; structs so the JIT specialises each kernel.</summary>
internal interface ICompareOperator
{
    static abstract Vector<long> Apply(Vector<double> a, Vector<double> b);

    static abstract bool Apply(double a, double b);
}

/// <summary>A double arithmetic operation, vector and scalar, with identical IEEE-754 results.</summary>
internal interface IArithmeticOperator
{
    static abstract Vector<double> Apply(Vector<double> a, Vector<double> b);

    static abstract double Apply(double a, double b);
}

internal readonly struct GreaterOperator : ICompareOperator
{
    public static Vector<long> Apply(Vector<double> a, Vector<double> b) => Vector.GreaterThan(a, b);

    public static bool Apply(double a, double b) => a > b;
}

internal readonly struct GreaterEqualOperator : ICompareOperator
{
    public static Vector<long> Apply(Vector<double> a, Vector<double> b) => Vector.GreaterThanOrEqual(a, b);

    public static bool Apply(double a, double b) => a >= b;
}

internal readonly struct LessOperator : ICompareOperator
{
    public static Vector<long> Apply(Vector<double> a, Vector<double> b) => Vector.LessThan(a, b);

    public static bool Apply(double a, double b) => a < b;
}

internal readonly struct LessEqualOperator : ICompareOperator
{
    public static Vector<long> Apply(Vector<double> a, Vector<double> b) => Vector.LessThanOrEqual(a, b);

    public static bool Apply(double a, double b) => a <= b;
}

internal readonly struct EqualOperator : ICompareOperator
{
    public static Vector<long> Apply(Vector<double> a, Vector<double> b) => Vector.Equals(a, b);

    public static bool Apply(double a, double b) => a == b;
}

internal readonly struct NotEqualOperator : ICompareOperator
{
    // NaN != NaN is true, as in C#: the complement of ordered equality.
    public static Vector<long> Apply(Vector<double> a, Vector<double> b) => ~Vector.Equals(a, b);

    public static bool Apply(double a, double b) => a != b;
}

internal readonly struct AddOperator : IArithmeticOperator
{
    public static Vector<double> Apply(Vector<double> a, Vector<double> b) => a + b;

    public static double Apply(double a, double b) => a + b;
}

internal readonly struct SubtractOperator : IArithmeticOperator
{
    public static Vector<double> Apply(Vector<double> a, Vector<double> b) => a - b;

    public static double Apply(double a, double b) => a - b;
}

internal readonly struct MultiplyOperator : IArithmeticOperator
{
    public static Vector<double> Apply(Vector<double> a, Vector<double> b) => a * b;

    public static double Apply(double a, double b) => a * b;
}

internal readonly struct DivideOperator : IArithmeticOperator
{
    public static Vector<double> Apply(Vector<double> a, Vector<double> b) => a / b;

    public static double Apply(double a, double b) => a / b;
}

internal readonly struct MinOperator : IArithmeticOperator
{
    // Vector.Min follows IEEE 754:2019 minimum since .NET 9 (NaN propagates, -0 < +0), as Math.Min does.
    public static Vector<double> Apply(Vector<double> a, Vector<double> b) => Vector.Min(a, b);

    public static double Apply(double a, double b) => Math.Min(a, b);
}

internal readonly struct MaxOperator : IArithmeticOperator
{
    public static Vector<double> Apply(Vector<double> a, Vector<double> b) => Vector.Max(a, b);

    public static double Apply(double a, double b) => Math.Max(a, b);
}

/// <summary>
/// The vectorised loops of the filter engine, over spans of one block. Conditions are bytes,
/// 0x00 (fails) or 0xFF (passes), so and/or/not are plain bitwise operations.
/// </summary>
internal static class FilterKernels
{
    public const byte True = 0xFF;

    public static void Arithmetic<TOperator>(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> destination)
        where TOperator : struct, IArithmeticOperator
    {
        int n = destination.Length;
        ref double ra = ref MemoryMarshal.GetReference(a[..n]);
        ref double rb = ref MemoryMarshal.GetReference(b[..n]);
        ref double rd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            {
                TOperator.Apply(Vector.LoadUnsafe(ref ra, (nuint)i), Vector.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rd, i) = TOperator.Apply(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i));
        }
    }

    /// <summary>destination = -source, flipping the sign bit exactly as scalar negation does (-(+0) is -0).</summary>
    public static void Negate(ReadOnlySpan<double> source, Span<double> destination)
    {
        int n = destination.Length;
        ref double rs = ref MemoryMarshal.GetReference(source[..n]);
        ref double rd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var sign = new Vector<ulong>(0x8000_0000_0000_0000UL);
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            {
                Vector.Xor(Vector.LoadUnsafe(ref rs, (nuint)i).As<double, ulong>(), sign).As<ulong, double>().StoreUnsafe(ref rd, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rd, i) = -Unsafe.Add(ref rs, i);
        }
    }

    public static void Abs(ReadOnlySpan<double> source, Span<double> destination)
    {
        int n = destination.Length;
        ref double rs = ref MemoryMarshal.GetReference(source[..n]);
        ref double rd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            {
                Vector.Abs(Vector.LoadUnsafe(ref rs, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rd, i) = Math.Abs(Unsafe.Add(ref rs, i));
        }
    }

    /// <summary>Compares two blocks of doubles into condition bytes, eight double vectors per byte vector.</summary>
    public static void Compare<TOperator>(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<byte> destination)
        where TOperator : struct, ICompareOperator
    {
        int n = destination.Length;
        ref double ra = ref MemoryMarshal.GetReference(a[..n]);
        ref double rb = ref MemoryMarshal.GetReference(b[..n]);
        ref byte rd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<double>.Count;
            for (; i <= n - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                nuint p = (nuint)i;
                Vector<int> m01 = Vector.Narrow(
                    TOperator.Apply(Vector.LoadUnsafe(ref ra, p), Vector.LoadUnsafe(ref rb, p)),
                    TOperator.Apply(Vector.LoadUnsafe(ref ra, p + (nuint)w), Vector.LoadUnsafe(ref rb, p + (nuint)w)));
                Vector<int> m23 = Vector.Narrow(
                    TOperator.Apply(Vector.LoadUnsafe(ref ra, p + (nuint)(2 * w)), Vector.LoadUnsafe(ref rb, p + (nuint)(2 * w))),
                    TOperator.Apply(Vector.LoadUnsafe(ref ra, p + (nuint)(3 * w)), Vector.LoadUnsafe(ref rb, p + (nuint)(3 * w))));
                Vector<int> m45 = Vector.Narrow(
                    TOperator.Apply(Vector.LoadUnsafe(ref ra, p + (nuint)(4 * w)), Vector.LoadUnsafe(ref rb, p + (nuint)(4 * w))),
                    TOperator.Apply(Vector.LoadUnsafe(ref ra, p + (nuint)(5 * w)), Vector.LoadUnsafe(ref rb, p + (nuint)(5 * w))));
                Vector<int> m67 = Vector.Narrow(
                    TOperator.Apply(Vector.LoadUnsafe(ref ra, p + (nuint)(6 * w)), Vector.LoadUnsafe(ref rb, p + (nuint)(6 * w))),
                    TOperator.Apply(Vector.LoadUnsafe(ref ra, p + (nuint)(7 * w)), Vector.LoadUnsafe(ref rb, p + (nuint)(7 * w))));
                Vector<sbyte> bytes = Vector.Narrow(Vector.Narrow(m01, m23), Vector.Narrow(m45, m67));
                bytes.As<sbyte, byte>().StoreUnsafe(ref rd, p);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rd, i) = TOperator.Apply(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i)) ? True : (byte)0;
        }
    }

    public static void And(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination) => Bitwise(a, b, destination, and: true);

    public static void Or(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination) => Bitwise(a, b, destination, and: false);

    public static void Not(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int n = destination.Length;
        ref byte rs = ref MemoryMarshal.GetReference(source[..n]);
        ref byte rd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                (~Vector.LoadUnsafe(ref rs, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rd, i) = (byte)~Unsafe.Add(ref rs, i);
        }
    }

    /// <summary>Condition bytes (0x00/0xFF) to mask bytes (0/1).</summary>
    public static void ToMask(ReadOnlySpan<byte> condition, Span<byte> mask)
    {
        int n = mask.Length;
        ref byte rs = ref MemoryMarshal.GetReference(condition[..n]);
        ref byte rd = ref MemoryMarshal.GetReference(mask);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                (Vector.LoadUnsafe(ref rs, (nuint)i) & Vector<byte>.One).StoreUnsafe(ref rd, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rd, i) = (byte)(Unsafe.Add(ref rs, i) & 1);
        }
    }

    /// <summary>The number of ones in a 0/1 mask.</summary>
    public static long CountOnes(ReadOnlySpan<byte> mask)
    {
        long total = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref byte r = ref MemoryMarshal.GetReference(mask);
            int step = Vector<byte>.Count;
            while (i <= mask.Length - step)
            {
                // A byte lane holds at most 255 ones before it is widened and summed.
                int chunkEnd = Math.Min(mask.Length - step, i + (254 * step));
                var lanes = Vector<byte>.Zero;
                for (; i <= chunkEnd; i += step)
                {
                    lanes += Vector.LoadUnsafe(ref r, (nuint)i);
                }

                Vector.Widen(lanes, out Vector<ushort> low, out Vector<ushort> high);
                Vector.Widen(low + high, out Vector<uint> a, out Vector<uint> b);
                total += Vector.Sum(a + b);
            }
        }

        for (; i < mask.Length; i++)
        {
            total += mask[i];
        }

        return total;
    }

    /// <summary>Stored values to doubles; 8- and 16-bit integers go through float32, which holds them exactly.</summary>
    public static void ToDouble(SampleType type, ReadOnlySpan<byte> raw, Span<double> destination)
    {
        switch (type)
        {
            case SampleType.Int16:
                Int16ToDouble(MemoryMarshal.Cast<byte, short>(raw), destination);
                break;
            case SampleType.UInt8:
                UInt8ToDouble(raw, destination);
                break;
            case SampleType.Float32:
                Float32ToDouble(MemoryMarshal.Cast<byte, float>(raw), destination);
                break;
            case SampleType.Float64:
                MemoryMarshal.Cast<byte, double>(raw)[..destination.Length].CopyTo(destination);
                break;
            default:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = type.ReadAsDouble(raw, i);
                }

                break;
        }
    }

    private static void Int16ToDouble(ReadOnlySpan<short> source, Span<double> destination)
    {
        int n = destination.Length;
        ref short rs = ref MemoryMarshal.GetReference(source[..n]);
        ref double rd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<double>.Count;
            for (; i <= n - Vector<short>.Count; i += Vector<short>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref rs, (nuint)i), out Vector<int> lo, out Vector<int> hi);
                Vector.Widen(Vector.ConvertToSingle(lo), out Vector<double> d0, out Vector<double> d1);
                Vector.Widen(Vector.ConvertToSingle(hi), out Vector<double> d2, out Vector<double> d3);
                d0.StoreUnsafe(ref rd, (nuint)i);
                d1.StoreUnsafe(ref rd, (nuint)(i + w));
                d2.StoreUnsafe(ref rd, (nuint)(i + (2 * w)));
                d3.StoreUnsafe(ref rd, (nuint)(i + (3 * w)));
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rd, i) = Unsafe.Add(ref rs, i);
        }
    }

    private static void UInt8ToDouble(ReadOnlySpan<byte> source, Span<double> destination)
    {
        int n = destination.Length;
        ref byte rs = ref MemoryMarshal.GetReference(source[..n]);
        ref double rd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<double>.Count;
            for (; i <= n - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref rs, (nuint)i), out Vector<ushort> lo, out Vector<ushort> hi);
                int k = 0;
                foreach (Vector<ushort> half in (ReadOnlySpan<Vector<ushort>>)[lo, hi])
                {
                    Vector.Widen(half, out Vector<uint> a, out Vector<uint> b);
                    Vector.Widen(Vector.ConvertToSingle(a.As<uint, int>()), out Vector<double> d0, out Vector<double> d1);
                    Vector.Widen(Vector.ConvertToSingle(b.As<uint, int>()), out Vector<double> d2, out Vector<double> d3);
                    d0.StoreUnsafe(ref rd, (nuint)(i + k));
                    d1.StoreUnsafe(ref rd, (nuint)(i + k + w));
                    d2.StoreUnsafe(ref rd, (nuint)(i + k + (2 * w)));
                    d3.StoreUnsafe(ref rd, (nuint)(i + k + (3 * w)));
                    k += 4 * w;
                }
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rd, i) = Unsafe.Add(ref rs, i);
        }
    }

    private static void Float32ToDouble(ReadOnlySpan<float> source, Span<double> destination)
    {
        int n = destination.Length;
        ref float rs = ref MemoryMarshal.GetReference(source[..n]);
        ref double rd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref rs, (nuint)i), out Vector<double> lo, out Vector<double> hi);
                lo.StoreUnsafe(ref rd, (nuint)i);
                hi.StoreUnsafe(ref rd, (nuint)(i + Vector<double>.Count));
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rd, i) = Unsafe.Add(ref rs, i);
        }
    }

    /// <summary>
    /// Condition bytes of lo ≤ x ≤ hi (or its complement) over stored integers, without converting
    /// them: per element bounds (<paramref name="lower"/>, <paramref name="upper"/> as long as
    /// <paramref name="values"/>) or, when those are empty, the same bounds for every element.
    /// </summary>
    public static void Interval<T>(ReadOnlySpan<T> values, ReadOnlySpan<T> lower, ReadOnlySpan<T> upper, T uniformLower, T uniformUpper, bool complement, Span<byte> destination)
        where T : unmanaged, INumber<T>
    {
        int n = destination.Length;
        bool uniform = lower.IsEmpty;
        ref T rv = ref MemoryMarshal.GetReference(values[..n]);
        ref T rl = ref MemoryMarshal.GetReference(lower);
        ref T ru = ref MemoryMarshal.GetReference(upper);
        ref byte rd = ref MemoryMarshal.GetReference(destination);
        var flip = complement ? Vector<byte>.AllBitsSet : Vector<byte>.Zero;
        var lo = new Vector<T>(uniformLower);
        var hi = new Vector<T>(uniformUpper);
        int perVector = Vector<T>.Count;
        int size = Unsafe.SizeOf<T>();
        int i = 0;
        if (Vector.IsHardwareAccelerated && size <= 4)
        {
            for (; i <= n - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                // One byte vector of output takes 1, 2 or 4 vectors of T: narrow the element masks to bytes.
                Vector<byte> bytes;
                if (size == 1)
                {
                    bytes = InRange(ref rv, ref rl, ref ru, uniform, lo, hi, i).As<T, byte>();
                }
                else if (size == 2)
                {
                    bytes = Vector.Narrow(
                        InRange(ref rv, ref rl, ref ru, uniform, lo, hi, i).As<T, ushort>(),
                        InRange(ref rv, ref rl, ref ru, uniform, lo, hi, i + perVector).As<T, ushort>());
                }
                else
                {
                    Vector<ushort> a = Vector.Narrow(
                        InRange(ref rv, ref rl, ref ru, uniform, lo, hi, i).As<T, uint>(),
                        InRange(ref rv, ref rl, ref ru, uniform, lo, hi, i + perVector).As<T, uint>());
                    Vector<ushort> b = Vector.Narrow(
                        InRange(ref rv, ref rl, ref ru, uniform, lo, hi, i + (2 * perVector)).As<T, uint>(),
                        InRange(ref rv, ref rl, ref ru, uniform, lo, hi, i + (3 * perVector)).As<T, uint>());
                    bytes = Vector.Narrow(a, b);
                }

                (bytes ^ flip).StoreUnsafe(ref rd, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            T x = Unsafe.Add(ref rv, i);
            T l = uniform ? uniformLower : Unsafe.Add(ref rl, i);
            T u = uniform ? uniformUpper : Unsafe.Add(ref ru, i);
            Unsafe.Add(ref rd, i) = (x >= l && x <= u) != complement ? True : (byte)0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> InRange<T>(ref T values, ref T lower, ref T upper, bool uniform, Vector<T> lo, Vector<T> hi, int i)
        where T : unmanaged, INumber<T>
    {
        Vector<T> x = Vector.LoadUnsafe(ref values, (nuint)i);
        if (!uniform)
        {
            lo = Vector.LoadUnsafe(ref lower, (nuint)i);
            hi = Vector.LoadUnsafe(ref upper, (nuint)i);
        }

        return Vector.GreaterThanOrEqual(x, lo) & Vector.LessThanOrEqual(x, hi);
    }

    private static void Bitwise(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination, bool and)
    {
        int n = destination.Length;
        ref byte ra = ref MemoryMarshal.GetReference(a[..n]);
        ref byte rb = ref MemoryMarshal.GetReference(b[..n]);
        ref byte rd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Vector<byte> x = Vector.LoadUnsafe(ref ra, (nuint)i), y = Vector.LoadUnsafe(ref rb, (nuint)i);
                (and ? x & y : x | y).StoreUnsafe(ref rd, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rd, i) = and ? (byte)(Unsafe.Add(ref ra, i) & Unsafe.Add(ref rb, i)) : (byte)(Unsafe.Add(ref ra, i) | Unsafe.Add(ref rb, i));
        }
    }
}
