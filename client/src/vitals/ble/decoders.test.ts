import { describe, expect, it } from 'vitest';
import { VitalSample } from '@legevakt/shared';
import { decodeBloodPressure } from './bloodPressure.ts';
import { decodePlxContinuous, decodePlxSpotCheck } from './pulseOximeter.ts';
import { decodeTemperature } from './thermometer.ts';

const dv = (...bytes: number[]): DataView => new DataView(Uint8Array.from(bytes).buffer);
const ctx = { device: 'Nonin 3230', receivedAt: Date.UTC(2024, 2, 15, 13, 31, 0) };
/** Date Time 2024-03-15 14:30:00: year 2024 = 0x07E8 → E8 07, then 03 0F 0E 1E 00. */
const TS = [0xe8, 0x07, 0x03, 0x0f, 0x0e, 0x1e, 0x00];
const TS_MS = new Date(2024, 2, 15, 14, 30, 0).getTime(); // device local time
const base = { device: 'Nonin 3230', source: 'bluetooth' };

describe('PLX Spot-Check Measurement (0x2A5E)', () => {
  it('decodes SpO2, pulse rate, timestamp and measurement status', () => {
    // flags 0x03: timestamp + measurement status
    // SpO2 0x0061 = 97, PR 0x0048 = 72, status 0x4000 = bit 14 questionable measurement
    const r = decodePlxSpotCheck(dv(0x03, 0x61, 0x00, 0x48, 0x00, ...TS, 0x00, 0x40), ctx);
    expect(r.errors).toEqual([]);
    expect(r.measurementStatus).toBe(0x4000);
    expect(r.samples).toEqual([
      { ...base, kind: 'spo2', value: 97, unit: '%', measuredAt: TS_MS, quality: ['questionable'] },
      { ...base, kind: 'pulseRateOximetry', value: 72, unit: '/min', measuredAt: TS_MS, quality: ['questionable'] },
    ]);
    for (const s of r.samples) expect(VitalSample.safeParse(s).success).toBe(true);
  });

  it('ignores the timestamp when the device clock is not set (flag bit 4)', () => {
    const r = decodePlxSpotCheck(dv(0x11, 0x61, 0x00, 0x48, 0x00, ...TS), ctx);
    expect(r.samples.map((s) => s.measuredAt)).toEqual([ctx.receivedAt, ctx.receivedAt]);
    expect(r.errors).toEqual(['PLX spot-check: device clock not set, used the time of arrival']);
  });

  it('leaves out NaN / NRes values and reads device status and PAI', () => {
    // flags 0x0C: device+sensor status, PAI. SpO2 0x07FF NaN, PR 0x0800 NRes,
    // status 0x008000 (bit 15 sensor disconnected) → invalid, PAI 0xF019 = 25 × 10^-1 = 2.5
    const r = decodePlxSpotCheck(dv(0x0c, 0xff, 0x07, 0x00, 0x08, 0x00, 0x80, 0x00, 0x19, 0xf0), ctx);
    expect(r.samples).toEqual([]);
    expect(r.deviceAndSensorStatus).toBe(0x8000);
    expect(r.pulseAmplitudeIndex).toBe(2.5);
    expect(r.errors).toEqual(['spo2: device sent NaN, left out', 'pulseRateOximetry: device sent NRes, left out']);
  });

  it('rejects a value shorter than its flags announce', () => {
    expect(decodePlxSpotCheck(dv(0x03, 0x61, 0x00, 0x48, 0x00, 0xe8), ctx)).toEqual({
      samples: [],
      errors: ['PLX spot-check: value too short, ignored'],
    });
    expect(decodePlxSpotCheck(dv(), ctx).errors).toEqual(['PLX spot-check: value too short, ignored']);
  });
});

describe('PLX Continuous Measurement (0x2A5F)', () => {
  it('decodes the Normal SpO2/PR and skips Fast and Slow', () => {
    // flags 0x1F: fast, slow, measurement status, device status, PAI
    // normal 96 (0x60) / 80 (0x50); fast 95/81; slow 97/79
    // status 0x0020 (bit 5 measurement ongoing) → invalid; device status 0x000040 (bit 6 erratic signal) → artifact
    // PAI 0xF00C = 12 × 10^-1 = 1.2
    const r = decodePlxContinuous(
      dv(
        0x1f,
        0x60,
        0x00,
        0x50,
        0x00,
        0x5f,
        0x00,
        0x51,
        0x00,
        0x61,
        0x00,
        0x4f,
        0x00,
        0x20,
        0x00,
        0x40,
        0x00,
        0x00,
        0x0c,
        0xf0,
      ),
      ctx,
    );
    expect(r.errors).toEqual([]);
    expect(r.pulseAmplitudeIndex).toBe(1.2);
    expect(r.samples).toEqual([
      { ...base, kind: 'spo2', value: 96, unit: '%', measuredAt: ctx.receivedAt, quality: ['invalid', 'artifact'] },
      {
        ...base,
        kind: 'pulseRateOximetry',
        value: 80,
        unit: '/min',
        measuredAt: ctx.receivedAt,
        quality: ['invalid', 'artifact'],
      },
    ]);
  });

  it('decodes the minimal form (flags 0)', () => {
    // SpO2 0x0062 = 98, PR 0x003C = 60
    const r = decodePlxContinuous(dv(0x00, 0x62, 0x00, 0x3c, 0x00), ctx);
    expect(r.samples.map((s) => [s.kind, s.value, s.quality])).toEqual([
      ['spo2', 98, []],
      ['pulseRateOximetry', 60, []],
    ]);
  });

  it('rejects a truncated value', () => {
    expect(decodePlxContinuous(dv(0x01, 0x62, 0x00, 0x3c, 0x00), ctx).errors).toEqual([
      'PLX continuous: value too short, ignored',
    ]);
  });
});

describe('Blood Pressure Measurement (0x2A35)', () => {
  it('decodes mmHg values with timestamp, pulse rate, user id and status', () => {
    // flags 0x1E: mmHg, timestamp, pulse, user id, status
    // sys 0x0078 = 120, dia 0x0050 = 80, MAP 0x005D = 93, pulse 0x0048 = 72, user 1,
    // status 0x0001 = body movement → artifact
    const r = decodeBloodPressure(
      dv(0x1e, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00, ...TS, 0x48, 0x00, 0x01, 0x01, 0x00),
      ctx,
    );
    expect(r.errors).toEqual([]);
    expect(r.userId).toBe(1);
    expect(r.irregularPulse).toBe(false);
    const q = { measuredAt: TS_MS, quality: ['artifact'] };
    expect(r.samples).toEqual([
      { ...base, ...q, kind: 'systolic', value: 120, unit: 'mm[Hg]' },
      { ...base, ...q, kind: 'diastolic', value: 80, unit: 'mm[Hg]' },
      { ...base, ...q, kind: 'meanPressure', value: 93, unit: 'mm[Hg]' },
      { ...base, ...q, kind: 'pulseRate', value: 72, unit: '/min' },
    ]);
  });

  it('converts kPa to mmHg and leaves out a NaN MAP', () => {
    // flags 0x01: kPa. sys 0xF0A0 = 160 × 10^-1 = 16.0 kPa → 120.01 → 120.0 mmHg
    // dia 0xF06B = 10.7 kPa → 80.26 → 80.3 mmHg; MAP 0x07FF NaN
    const r = decodeBloodPressure(dv(0x01, 0xa0, 0xf0, 0x6b, 0xf0, 0xff, 0x07), ctx);
    expect(r.samples.map((s) => [s.kind, s.value, s.unit])).toEqual([
      ['systolic', 120, 'mm[Hg]'],
      ['diastolic', 80.3, 'mm[Hg]'],
    ]);
    expect(r.errors).toEqual(['meanPressure: device sent NaN, left out']);
  });

  it('reports irregular pulse and a pulse rate above range', () => {
    // flags 0x14: pulse, status. pulse 0x00B4 = 180; status 0x000C: bit 2 irregular pulse, bits 3-4 = 1 (above upper limit)
    const r = decodeBloodPressure(dv(0x14, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00, 0xb4, 0x00, 0x0c, 0x00), ctx);
    expect(r.irregularPulse).toBe(true);
    expect(r.samples.map((s) => [s.kind, s.quality])).toEqual([
      ['systolic', []],
      ['diastolic', []],
      ['meanPressure', []],
      ['pulseRate', ['out-of-range']],
    ]);
  });

  it('rejects a truncated value', () => {
    expect(decodeBloodPressure(dv(0x02, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00, 0xe8, 0x07), ctx).errors).toEqual([
      'blood pressure: value too short, ignored',
    ]);
  });
});

describe('Temperature Measurement (0x2A1C)', () => {
  it('decodes °C with timestamp and temperature type', () => {
    // flags 0x06: °C, timestamp, type. FLOAT 0xFF00016E = 36.6; type 1 = armpit
    const r = decodeTemperature(dv(0x06, 0x6e, 0x01, 0x00, 0xff, ...TS, 0x01), ctx);
    expect(r).toEqual({
      samples: [
        { ...base, kind: 'temperature', value: 36.6, unit: 'Cel', measuredAt: TS_MS, quality: [], site: 'axillary' },
      ],
      errors: [],
    });
  });

  it('converts °F to °C', () => {
    // flags 0x05: °F, type. FLOAT 0xFF0003DA = 98.6 °F → 37.0 °C; type 9 = tympanum
    const r = decodeTemperature(dv(0x05, 0xda, 0x03, 0x00, 0xff, 0x09), ctx);
    expect(r.samples.map((s) => [s.value, s.unit, s.site, s.measuredAt])).toEqual([[37, 'Cel', 'ear', ctx.receivedAt]]);
  });

  it.each([
    [[0xff, 0xff, 0x7f, 0x00], 'NaN'],
    [[0x00, 0x00, 0x80, 0x00], 'NRes'],
    [[0xfe, 0xff, 0x7f, 0x00], '+INF'],
    [[0x02, 0x00, 0x80, 0x00], '-INF'],
    [[0x01, 0x00, 0x80, 0x00], 'reserved'],
  ])('leaves out a special FLOAT %j (%s)', (bytes, special) => {
    expect(decodeTemperature(dv(0x00, ...bytes), ctx)).toEqual({
      samples: [],
      errors: [`temperature: device sent ${special}, left out`],
    });
  });

  it('falls back to the time of arrival for an invalid timestamp and flags implausible values', () => {
    // month 13 is invalid; FLOAT 0x000001F4 = 500 °C
    const r = decodeTemperature(dv(0x02, 0xf4, 0x01, 0x00, 0x00, 0xe8, 0x07, 0x0d, 0x01, 0x00, 0x00, 0x00), ctx);
    expect(r.samples).toMatchObject([
      { value: 500, measuredAt: ctx.receivedAt, quality: ['out-of-range'], site: 'unknown' },
    ]);
    expect(r.errors).toEqual(['temperature: invalid timestamp, used the time of arrival']);
  });

  it('never throws on random bytes', () => {
    let seed = 99;
    for (let i = 0; i < 5000; i++) {
      const bytes = Array.from({ length: i % 24 }, () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed & 0xff;
      });
      for (const decode of [decodeTemperature, decodeBloodPressure, decodePlxSpotCheck, decodePlxContinuous]) {
        const r = decode(dv(...bytes), ctx);
        for (const s of r.samples) expect(Number.isFinite(s.value)).toBe(true);
      }
    }
  });
});
