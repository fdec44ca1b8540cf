namespace NeuroAlign.TestData;

/// <summary>
/// NWB 2.x files written by h5py directly (no pynwb here), with the attributes pynwb writes
/// (neurodata_type, namespace, nwb_version, object_id), and the raw binary the ephys series was
/// made from. The file holds every type the NWB reader maps, so one file serves many tests.
/// </summary>
public static class SyntheticNwb
{
    /// <summary>Channels of the ephys series.</summary>
    public const int Channels = 12;

    /// <summary>Sample rate of the ephys series (explicit timestamps k / rate).</summary>
    public const double RateHz = 2000;

    /// <summary>Samples of the ephys series: 5.5 s.</summary>
    public const int Samples = 11000;

    /// <summary>conversion of the ephys data (V per count) and channel_conversion k: 1 + k / 100.</summary>
    public const double Conversion = 1.95e-7;

    /// <summary>starting_time and rate of the extension-typed series (ndx-test LFPSeriesX inherits ElectricalSeries).</summary>
    public const double LfpStartSeconds = 1.25, LfpRateHz = 250;

    /// <summary>Sample i of the TTL series (states 0 1 1 0 …, rising at i = 1, 5, 9 …): irregular, so pulse matching has one answer.</summary>
    public static double TtlTime(int i) => 0.1 + (i * 0.125) + ((i * i % 7) * 0.01);

    /// <summary>
    /// Writes <paramref name="nwbPath"/> and, beside it, the ephys data as a raw interleaved int16
    /// .bin (<paramref name="nwbPath"/> with .bin). <paramref name="version"/> is the root's
    /// nwb_version; null leaves it out.
    /// </summary>
    public static void Write(string nwbPath, string? version = "2.7.0", int samples = Samples, int chunkSamples = 1000)
    {
        Python.Run(Script, nwbPath, version ?? "", samples.ToString(System.Globalization.CultureInfo.InvariantCulture), chunkSamples.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public const string Script =
        """
        import sys, json, uuid, numpy as np, h5py
        path, version, samples, chunk = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        C, rate = 12, 2000.0
        rng = np.random.default_rng(20)
        data = rng.integers(-3000, 3000, size=(samples, C), dtype=np.int16)
        data.tofile(path[:-4] + '.bin')
        str_t = h5py.string_dtype()
        def typed(obj, t, ns='core'):
            obj.attrs['neurodata_type'] = t
            obj.attrs['namespace'] = ns
            obj.attrs['object_id'] = str(uuid.uuid4())
            return obj
        with h5py.File(path, 'w') as f:
            if version:
                f.attrs['nwb_version'] = version
            typed(f, 'NWBFile')
            f.create_dataset('session_start_time', data='2024-01-02T03:04:05+00:00', dtype=str_t)
            f.create_dataset('timestamps_reference_time', data='2024-01-02T03:04:05+00:00', dtype=str_t)
            f.create_dataset('identifier', data='synthetic', dtype=str_t)
            spec = {'groups': [{'neurodata_type_def': 'LFPSeriesX', 'neurodata_type_inc': 'ElectricalSeries', 'doc': 'an extension series'}]}
            sp = f.create_group('specifications/ndx-test/0.1.0')
            sp.create_dataset('namespace', data=json.dumps({'namespaces': [{'name': 'ndx-test'}]}), dtype=str_t)
            sp.create_dataset('ndx-test.extensions', data=json.dumps(spec), dtype=str_t)
            el = typed(f.create_group('general/extracellular_ephys/electrodes'), 'DynamicTable', 'hdmf-common')
            el.attrs['colnames'] = ['location', 'rel_x', 'rel_y', 'x', 'y', 'z']
            el.create_dataset('id', data=np.arange(100, 100 + C, dtype=np.int64))
            el.create_dataset('location', data=['CA1'] * 6 + ['DG'] * 6, dtype=str_t)
            el.create_dataset('rel_x', data=np.array([16.0, 48.0] * 6))
            el.create_dataset('rel_y', data=np.repeat(np.arange(6) * 20.0, 2))
            for n in ('x', 'y', 'z'):
                el.create_dataset(n, data=np.full(C, 999.0))
            acq = f.create_group('acquisition')
            es = typed(acq.create_group('ElectricalSeriesAP'), 'ElectricalSeries')
            d = es.create_dataset('data', data=data, chunks=(chunk, C), compression='gzip', compression_opts=4)
            d.attrs['unit'] = 'volts'; d.attrs['conversion'] = 1.95e-7; d.attrs['offset'] = 0.0; d.attrs['resolution'] = -1.0
            ts = es.create_dataset('timestamps', data=np.arange(samples) / rate, chunks=(min(4096, samples),), compression='gzip')
            ts.attrs['unit'] = 'seconds'; ts.attrs['interval'] = 1
            es.create_dataset('channel_conversion', data=(1 + np.arange(C) / 100.0).astype(np.float32))
            es.create_dataset('electrodes', data=np.arange(C, dtype=np.int64)[::-1])
            lfp = typed(acq.create_group('LFP'), 'LFPSeriesX', 'ndx-test')
            ld = lfp.create_dataset('data', data=(data[::8, :4].astype(np.float32) * 0.5))
            ld.attrs['unit'] = 'volts'; ld.attrs['conversion'] = 1.0; ld.attrs['offset'] = 0.001
            st = lfp.create_dataset('starting_time', data=1.25); st.attrs['rate'] = 250.0; st.attrs['unit'] = 'seconds'
            ttl = typed(acq.create_group('TTL'), 'TimeSeries')
            states = np.zeros(40, dtype=np.int8); states[1::4] = 1; states[2::4] = 1
            ttl.create_dataset('data', data=states).attrs['unit'] = 'n/a'
            ttl.create_dataset('timestamps', data=0.1 + np.arange(40) * 0.125 + (np.arange(40) ** 2 % 7) * 0.01)
            bad = typed(acq.create_group('Untimed'), 'TimeSeries')
            bad.create_dataset('data', data=np.zeros(10)).attrs['unit'] = 'n/a'
            pos = typed(f.create_group('processing/behavior/Position/SpatialSeries'), 'SpatialSeries')
            typed(f['processing/behavior'], 'ProcessingModule'); typed(f['processing/behavior/Position'], 'Position')
            pos.create_dataset('data', data=np.stack([np.arange(50.0), np.arange(50.0) * 2], 1)).attrs['unit'] = 'meters'
            pst = pos.create_dataset('starting_time', data=0.5); pst.attrs['rate'] = 10.0
            u = typed(f.create_group('units'), 'Units')
            u.attrs['colnames'] = ['spike_times', 'obs_intervals', 'quality']
            st = [np.sort(rng.uniform(0.2, 5.4, size=n)) for n in (30, 0, 55, 12)]
            u.create_dataset('spike_times', data=np.concatenate(st))
            u.create_dataset('spike_times_index', data=np.cumsum([len(s) for s in st]).astype(np.uint8))
            u.create_dataset('id', data=np.array([3, 5, 8, 13], dtype=np.int64))
            u.create_dataset('quality', data=['good', 'noise', 'good', 'mua'], dtype=str_t)
            u.create_dataset('obs_intervals', data=np.array([[0.0, 5.5]] * 4))
            u.create_dataset('obs_intervals_index', data=np.array([1, 2, 3, 4], dtype=np.uint8))
            tr = typed(f.create_group('intervals/trials'), 'TimeIntervals')
            tr.attrs['colnames'] = ['start_time', 'stop_time', 'trial_type', 'tags']
            tr.create_dataset('id', data=np.arange(5))
            tr.create_dataset('start_time', data=np.array([0.5, 1.5, 2.25, 3.0, 4.75]))
            tr.create_dataset('stop_time', data=np.array([1.0, 2.0, 2.75, 3.5, 5.0]))
            tr.create_dataset('trial_type', data=['go', 'nogo', 'go', 'go', 'nogo'], dtype=str_t)
            tr.create_dataset('tags', data=['a', 'b', 'c', 'd', 'e', 'f'], dtype=str_t)
            tr.create_dataset('tags_index', data=np.array([1, 2, 4, 5, 6], dtype=np.uint8))
        """;
}
