import { z } from 'zod';
import { WaveformSignal } from '../vitals/model.ts';

/** One stream of a recording for the monitor simulator: interleaved int16 samples, base64. */
export const SimulatorStream = z.object({
  streamId: z.string(),
  signals: z.array(WaveformSignal),
  sampleRateHz: z.number().positive(),
  gain: z.number(),
  baseline: z.number(),
  samples: z.base64(),
});
export type SimulatorStream = z.infer<typeof SimulatorStream>;

/** A real PhysioNet recording the simulator plays in real time, with plausible numerics around it. */
export const SimulatorRecording = z.object({
  id: z.string(),
  title: z.string(),
  durationSeconds: z.number(),
  streams: z.array(SimulatorStream),
  numerics: z.object({
    heartRate: z.number(),
    spo2: z.number(),
    systolic: z.number(),
    diastolic: z.number(),
    temperature: z.number(),
    respirationRate: z.number(),
  }),
});
export type SimulatorRecording = z.infer<typeof SimulatorRecording>;
