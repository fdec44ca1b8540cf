namespace NeuroAlign.TestData;

/// <summary>
/// An NWB 2.x file of behaviour written by h5py directly (no pynwb), with the attributes pynwb
/// writes: series to read as tables (a SpatialSeries with irregular timestamps, conversion, offset
/// and a reference frame, chunked and gzipped; a regular int16 TimeSeries; an extension's subtype of
/// TimeSeries of 4 columns), ImageSeries pointing at an external video (timed by timestamps, by a
/// rate; one split over two files; one whose file is missing) and one holding its frames, and ndx-pose PoseEstimations of 3-D series (Pose3D: 300 frames at 30 Hz from 2 s, 3 bodyparts)
/// and of mixed 2-D and 3-D series (PoseMixed), laid out as DLC2NWB writes ndx-pose 0.1.
/// </summary>
public static class SyntheticNwbBehaviour
{
    /// <summary>Rows of the SpatialSeries (timestamps 0.2 + irregular steps of about 10 ms).</summary>
    public const int PositionRows = 5000;

    /// <summary>Frames the ImageSeries' timestamps time (1 s + 40 ms steps, with 0, 5 or 10 ms more): the external video must have as many.</summary>
    public const int VideoFrames = 40;

    /// <summary>Writes <paramref name="nwbPath"/>; <paramref name="video"/> is the ImageSeries' external_file as written (relative to the file).</summary>
    public static void Write(string nwbPath, string video = "camera.mp4") => Python.Run(Script, nwbPath, video);

    public const string Script =
        """
        import sys, json, uuid, numpy as np, h5py
        path, video = sys.argv[1], sys.argv[2]
        VIDEO_FRAMES = 40
        rng = np.random.default_rng(21)
        str_t = h5py.string_dtype()
        def typed(obj, t, ns='core'):
            obj.attrs['neurodata_type'] = t
            obj.attrs['namespace'] = ns
            obj.attrs['object_id'] = str(uuid.uuid4())
            return obj
        with h5py.File(path, 'w') as f:
            f.attrs['nwb_version'] = '2.7.0'
            typed(f, 'NWBFile')
            f.create_dataset('session_start_time', data='2024-01-02T03:04:05+00:00', dtype=str_t)
            f.create_dataset('timestamps_reference_time', data='2024-01-02T03:04:05+00:00', dtype=str_t)
            spec = {'groups': [{'neurodata_type_def': 'PupilSeries', 'neurodata_type_inc': 'TimeSeries', 'doc': 'an extension series'}]}
            sp = f.create_group('specifications/ndx-eye/0.1.0')
            sp.create_dataset('namespace', data=json.dumps({'namespaces': [{'name': 'ndx-eye'}]}), dtype=str_t)
            sp.create_dataset('ndx-eye.extensions', data=json.dumps(spec), dtype=str_t)
            beh = typed(f.create_group('processing/behavior'), 'ProcessingModule')
            typed(beh.create_group('Position'), 'Position')
            pos = typed(beh.create_group('Position/SpatialSeries'), 'SpatialSeries')
            n = 5000
            t = 0.2 + np.cumsum(0.008 + 0.004 * rng.random(n)) - 0.01
            xy = np.cumsum(rng.integers(-20, 21, size=(n, 2)), axis=0).astype(np.int32)
            d = pos.create_dataset('data', data=xy, chunks=(512, 2), compression='gzip')
            d.attrs['unit'] = 'meters'; d.attrs['conversion'] = 0.001; d.attrs['offset'] = 0.25; d.attrs['resolution'] = -1.0
            ts = pos.create_dataset('timestamps', data=t, chunks=(1024,), compression='gzip')
            ts.attrs['unit'] = 'seconds'; ts.attrs['interval'] = 1
            pos.create_dataset('reference_frame', data='top left corner of the arena', dtype=str_t)
            acq = f.create_group('acquisition')
            wheel = typed(acq.create_group('Wheel'), 'TimeSeries')
            w = wheel.create_dataset('data', data=np.cumsum(rng.integers(-3, 4, size=2000)).astype(np.int16))
            w.attrs['unit'] = 'radians'; w.attrs['conversion'] = 0.25; w.attrs['offset'] = -3.0
            st = wheel.create_dataset('starting_time', data=1.0); st.attrs['rate'] = 100.0; st.attrs['unit'] = 'seconds'
            pupil = typed(acq.create_group('Pupil'), 'PupilSeries', 'ndx-eye')
            pupil.create_dataset('data', data=rng.random((600, 4)).astype(np.float32)).attrs['unit'] = 'pixels'
            st = pupil.create_dataset('starting_time', data=0.5); st.attrs['rate'] = 60.0
            pspec = {'groups': [
                {'neurodata_type_def': 'PoseEstimationSeries', 'neurodata_type_inc': 'SpatialSeries', 'doc': 'one keypoint'},
                {'neurodata_type_def': 'PoseEstimation', 'neurodata_type_inc': 'NWBDataInterface', 'doc': 'a group of keypoints'}]}
            sp = f.create_group('specifications/ndx-pose/0.1.0')
            sp.create_dataset('namespace', data=json.dumps({'namespaces': [{'name': 'ndx-pose'}]}), dtype=str_t)
            sp.create_dataset('ndx-pose.extensions', data=json.dumps(pspec), dtype=str_t)
            def pose(name, parts, frames, timed):
                pe = typed(beh.create_group(name), 'PoseEstimation', 'ndx-pose')
                pe.create_dataset('source_software', data='Anipose', dtype=str_t)
                pe.create_dataset('nodes', data=[p for p, _ in parts], dtype=str_t)
                for i, (part, dim) in enumerate(parts):
                    ps = typed(pe.create_group(part), 'PoseEstimationSeries', 'ndx-pose')
                    xyz = (rng.normal(size=(frames, dim)) * 100).astype(np.float32)
                    xyz[7 + i] = np.nan
                    d = ps.create_dataset('data', data=xyz)
                    d.attrs['unit'] = 'mm'; d.attrs['conversion'] = 0.5 if i == 1 else 1.0; d.attrs['resolution'] = -1.0
                    if i == 2:
                        d.attrs['offset'] = 10.0
                    c = ps.create_dataset('confidence', data=rng.random(frames))
                    c.attrs['definition'] = 'reprojection score'
                    ps.create_dataset('reference_frame', data='(0, 0, 0) is the arena centre', dtype=str_t)
                    timed(ps)
            def regular(ps):
                st = ps.create_dataset('starting_time', data=2.0); st.attrs['rate'] = 30.0; st.attrs['unit'] = 'seconds'
            pose('Pose3D', [('snout', 3), ('left_ear', 3), ('tailbase', 3)], 300, regular)
            def image(name, files, timed, starting=None):
                im = typed(acq.create_group(name), 'ImageSeries')
                im.create_dataset('data', data=np.zeros((0, 0, 0), dtype=np.uint8)).attrs['unit'] = 'n/a'
                ef = im.create_dataset('external_file', data=files, dtype=str_t)
                ef.attrs['starting_frame'] = np.array(starting if starting is not None else [0] * len(files), dtype=np.int64)
                im.create_dataset('format', data='external', dtype=str_t)
                timed(im)
            def camera_times(im):
                t = 1.0 + np.arange(VIDEO_FRAMES) * 0.04 + (np.arange(VIDEO_FRAMES) % 3) * 0.005
                im.create_dataset('timestamps', data=t).attrs['unit'] = 'seconds'
            def camera_rate(im):
                st = im.create_dataset('starting_time', data=0.5); st.attrs['rate'] = 20.0; st.attrs['unit'] = 'seconds'
            image('BehavioralVideo', [video], camera_times)
            image('VideoByRate', [video], camera_rate)
            image('VideoInTwoFiles', [video, 'camera2.mp4'], camera_times, [0, 20])
            image('VideoMissing', ['missing.mp4'], camera_rate)
            inside = typed(acq.create_group('FramesInside'), 'ImageSeries')
            inside.create_dataset('data', data=np.zeros((4, 8, 8), dtype=np.uint8)).attrs['unit'] = 'n/a'
            st = inside.create_dataset('starting_time', data=0.0); st.attrs['rate'] = 10.0
            pose('PoseMixed', [('snout', 2), ('left_ear', 3)], 50, regular)
        """;
}
