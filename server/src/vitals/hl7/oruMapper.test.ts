import { describe, expect, it } from 'vitest';
import { VitalSample } from '@legevakt/shared';
import { parseHl7, type Hl7Message } from './hl7Message.ts';
import { WaveformSequencer, mapOruR01 } from './oruMapper.ts';
import {
  CUSTOM_SEPARATORS,
  ECG_MILLIVOLT_TWO_LEADS,
  GE_LOINC_KPA,
  PHILIPS_NUMERICS,
  ecgMicrovolts,
  philipsWaveforms,
  plethUnits,
  seg,
} from './testFixtures.ts';

function parsed(text: string): Hl7Message {
  const r = parseHl7(text);
  if (!r.ok) throw new Error(`expected a parse: ${r.error.text}`);
  return r.message;
}

const RECEIVED = Date.UTC(2024, 2, 15, 13, 30, 20);

describe('mapOruR01: numerics', () => {
  it('maps a Philips-style PCD-01 message (MDC codes, MDS device id, OBX-14 times)', () => {
    const r = mapOruR01(parsed(PHILIPS_NUMERICS), { receivedAt: RECEIVED });
    expect(r.errors).toEqual([]);
    expect(r.device).toBe('0001C0FFEE000001');
    expect(r.patient).toEqual({ id: '12345678901', name: 'Kari Nordmann' });
    const nibp = Date.UTC(2024, 2, 15, 13, 29, 55);
    const at1430 = Date.UTC(2024, 2, 15, 13, 30, 0);
    const base = { device: '0001C0FFEE000001', source: 'monitor-hl7', quality: [] };
    expect(r.numerics).toEqual([
      { ...base, kind: 'systolic', value: 128, unit: 'mm[Hg]', measuredAt: nibp },
      { ...base, kind: 'diastolic', value: 84, unit: 'mm[Hg]', measuredAt: nibp },
      { ...base, kind: 'meanPressure', value: 99, unit: 'mm[Hg]', measuredAt: nibp },
      { ...base, kind: 'heartRateEcg', value: 72, unit: '/min', measuredAt: at1430 },
      { ...base, kind: 'spo2', value: 97, unit: '%', measuredAt: at1430 },
      { ...base, kind: 'pulseRateOximetry', value: 73, unit: '/min', measuredAt: at1430 },
      {
        ...base,
        kind: 'temperature',
        value: 37.4,
        unit: 'Cel',
        measuredAt: Date.UTC(2024, 2, 15, 13, 29, 0),
        site: 'unknown',
      },
      { ...base, kind: 'respirationRate', value: 16, unit: '/min', measuredAt: at1430 },
    ]);
    for (const s of r.numerics) expect(VitalSample.safeParse(s).success).toBe(true);
    expect(r.waveforms).toEqual([]);
  });

  it('maps a GE-style LOINC message: kPa → mmHg, °F → °C, Oslo local times, quality flags, unknown codes', () => {
    const r = mapOruR01(parsed(GE_LOINC_KPA), { receivedAt: RECEIVED });
    const obr = Date.UTC(2024, 2, 15, 13, 30, 0); // 14:30 CET
    const base = { device: 'CARESCAPE/GE-B450-0042', source: 'monitor-hl7', measuredAt: obr, quality: [] };
    expect(r.device).toBe('CARESCAPE/GE-B450-0042');
    expect(r.patient).toEqual({ id: '17089212345', name: 'Åse Ødegård' });
    expect(r.numerics).toEqual([
      // 17.1 kPa × 760/101.325 = 128.26 mmHg
      { ...base, kind: 'systolic', value: 128.3, unit: 'mm[Hg]' },
      // 11.2 kPa = 84.01 mmHg
      { ...base, kind: 'diastolic', value: 84, unit: 'mm[Hg]' },
      // (99.5 − 32) × 5/9 = 37.5 °C; OBX-14 wins over OBR-7
      {
        ...base,
        kind: 'temperature',
        value: 37.5,
        unit: 'Cel',
        measuredAt: Date.UTC(2024, 2, 15, 13, 25, 0),
        site: 'unknown',
      },
      // OBX-8 `L~questionable`: L is clinical (not a quality issue), questionable is
      { ...base, kind: 'spo2', value: 88, unit: '%', quality: ['questionable'] },
      { ...base, kind: 'respirationRate', value: 18, unit: '/min' },
      // OBX-11 I: measurement in progress
      { ...base, kind: 'pulseRate', value: 75, unit: '/min', quality: ['invalid'] },
    ]);
    expect(r.errors).toEqual([
      'OBX 7: unknown observation 29463-7^Body weight^LN, ignored',
      'OBX 8: unknown observation NOTE^Comment^L, ignored',
    ]);
  });

  it('reads the same values with non-standard delimiters', () => {
    const r = mapOruR01(parsed(CUSTOM_SEPARATORS), { receivedAt: RECEIVED });
    expect(r.numerics).toMatchObject([{ kind: 'systolic', value: 131, device: 'GW/0001C0FFEE000002' }]);
    expect(r.patient).toEqual({ id: '555', name: 'Per Hansen' });
    expect(r.errors).toEqual(['OBX 2: unknown observation X^Note#with$escapes^L, ignored']);
  });

  it('reports unusable rows without failing the message', () => {
    const msg = parsed(
      seg(
        'MSH|^~\\&|GW|ICU|||20240315143015+0100||ORU^R01|E1|P|2.6',
        'OBX|1|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC||12O|266016^MDC_DIM_MMHG^MDC',
        'OBX|2|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC||120',
        'OBX|3|NM|150364^MDC_TEMP_BODY^MDC||37|264864^MDC_DIM_BEAT_PER_MIN^MDC',
        'OBX|4|ST|150456^MDC_PULS_OXIM_SAT_O2^MDC||ninety|%',
        'OBX|5|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||96|furlongs',
        'OBX|6|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC||70~71|/min',
        'OBX|7|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC||70|/min|||||D',
        'OBX|8|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC||400|/min|invalid||||X',
        'OBX|9|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||95|%||>',
        'OBX|10|NM|151562^MDC_RESP_RATE^MDC||12|/min||||||||20241399',
        'OBX|11|SN|150022^MDC_PRESS_BLD_NONINV_DIA^MDC||^80|mm[Hg]',
        'OBX|12|SN|150022^MDC_PRESS_BLD_NONINV_DIA^MDC||<^40|mm[Hg]',
      ),
    );
    const r = mapOruR01(msg, { receivedAt: RECEIVED });
    const msh = Date.UTC(2024, 2, 15, 13, 30, 15);
    expect(r.numerics).toEqual([
      expect.objectContaining({ kind: 'pulseRateOximetry', value: 400, quality: ['invalid', 'out-of-range'] }),
      expect.objectContaining({ kind: 'spo2', value: 95, quality: ['out-of-range'], measuredAt: msh }),
      // OBX-14 is malformed and there is no OBR: MSH-7 is not used either, as OBX-14 was given but bad → falls back to MSH-7
      expect.objectContaining({ kind: 'respirationRate', value: 12, measuredAt: msh }),
      expect.objectContaining({ kind: 'diastolic', value: 80 }),
    ]);
    expect(r.errors).toEqual([
      'OBX 1: systolic value "12O" is not a number; ignored',
      'OBX 2: systolic has no unit (mmHg or kPa?); ignored',
      'OBX 3: temperature has a unit that is not a temperature; ignored',
      'OBX 4: spo2 has value type ST, expected NM; ignored',
      'OBX 5: spo2 has a unit that is not %; ignored',
      'OBX 6: pulseRateOximetry value "70" is not a number; ignored',
      'OBX 12: diastolic value "<" is not a number; ignored',
    ]);
  });

  it('uses the time of arrival, and says so, when the message carries no usable time', () => {
    const r = mapOruR01(
      parsed(seg('MSH|^~\\&|GW|ICU|||||ORU^R01|T1|P|2.6', 'OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||96|%')),
      {
        receivedAt: RECEIVED,
      },
    );
    expect(r.numerics).toMatchObject([{ kind: 'spo2', measuredAt: RECEIVED }]);
    expect(r.errors).toEqual(['OBX 1: no usable observation time, used the time of arrival']);
  });

  it('maps temperature sites from MDC and LOINC codes', () => {
    const r = mapOruR01(
      parsed(
        seg(
          'MSH|^~\\&|GW|ICU|||20240315143015+0100||ORU^R01|T2|P|2.6',
          'OBX|1|NM|188452^MDC_TEMP_AXILLA^MDC||36.8|268192^MDC_DIM_DEGC^MDC',
          'OBX|2|NM|0^MDC_TEMP_TYMP^MDC||37.9|Cel',
          'OBX|3|NM|8332-9^Rectal temperature^LN||101.3|[degF]',
          'OBX|4|NM|8331-1^Oral temperature^LN||37.1|Cel',
        ),
      ),
      { receivedAt: RECEIVED },
    );
    // (101.3 − 32) × 5/9 = 38.5 °C
    expect(r.numerics.map((s) => [s.value, s.site])).toEqual([
      [36.8, 'axillary'],
      [37.9, 'ear'],
      [38.5, 'rectal'],
      [37.1, 'oral'],
    ]);
  });
});

describe('mapOruR01: waveforms', () => {
  it('turns ECG lead II (µV, 500 Hz) and pleth (125 Hz) NA arrays into chunks', () => {
    const r = mapOruR01(parsed(philipsWaveforms()), { receivedAt: RECEIVED });
    expect(r.errors).toEqual([]);
    expect(r.numerics).toEqual([]);
    const start = Date.UTC(2024, 2, 15, 13, 30, 14);
    expect(r.waveforms).toHaveLength(2);
    const [ecg, pleth] = r.waveforms;
    expect(ecg).toMatchObject({
      streamId: '0001C0FFEE000001/ecg:II',
      signals: ['II'],
      sampleRateHz: 500,
      gain: 1000, // µV per mV
      baseline: 0,
      firstSample: 0,
      startTime: start,
    });
    expect([...(ecg?.samples ?? [])]).toEqual(ecgMicrovolts(500));
    expect(pleth).toMatchObject({
      streamId: '0001C0FFEE000001/pleth:Pleth',
      signals: ['Pleth'],
      sampleRateHz: 125,
      gain: 1,
      firstSample: 0,
    });
    expect([...(pleth?.samples ?? [])]).toEqual(plethUnits(125));
  });

  it('keeps firstSample continuous across messages and skips ahead over a gap', () => {
    const sequencer = new WaveformSequencer();
    const at = (startLocal: string): number[] =>
      mapOruR01(parsed(philipsWaveforms({ startLocal })), { receivedAt: RECEIVED, sequencer }).waveforms.map(
        (w) => w.firstSample,
      );
    expect(at('20240315143014.000')).toEqual([0, 0]);
    expect(at('20240315143015.000')).toEqual([500, 125]);
    expect(at('20240315143016.001')).toEqual([1000, 250]); // 1 ms jitter is not a gap
    expect(at('20240315143019.000')).toEqual([2500, 625]); // 2 s missing
    expect(at('20240315143010.000')).toEqual([3000, 750]); // clock went back: count continues
  });

  it('interleaves two mV leads that share rate and start, scaled by the declared data range', () => {
    const r = mapOruR01(parsed(ECG_MILLIVOLT_TWO_LEADS), { receivedAt: RECEIVED });
    expect(r.errors).toEqual([]);
    expect(r.waveforms).toHaveLength(1);
    const chunk = r.waveforms[0]!;
    // Range ±10 mV: ×10^4 would overflow int16, so ×1000 (µV), gain 1000 units per mV.
    expect(chunk).toMatchObject({
      streamId: 'GW/ACME/ecg:I,II',
      signals: ['I', 'II'],
      sampleRateHz: 256,
      gain: 1000,
      startTime: Date.UTC(2015, 5, 15, 12, 55, 31), // 14:55:31 CEST
    });
    expect([...chunk.samples]).toEqual([0, 100, 29, 200, -531, 300, 1250, 400, 2, 500]);
  });

  it('falls back to a default sample rate and rejects ECG without a voltage unit', () => {
    const msg = parsed(
      seg(
        'MSH|^~\\&|GW|ICU|||20240315143015+0100||ORU^R01|W2|P|2.6',
        'OBX|1|NA|150452^MDC_PULS_OXIM_PLETH^MDC|1.3.1.1|1^2^3||||||R|||20240315143014+0100',
        'OBX|2|NA|131330^MDC_ECG_ELEC_POTL_II^MDC|1.2.1.1|1^2^3||||||R|||20240315143014+0100',
        'OBX|3|NA|131331^MDC_ECG_ELEC_POTL_V1^MDC|1.2.1.2|1^x^3|266419^MDC_DIM_MICRO_VOLT^MDC',
        'OBX|4|ST|131332^MDC_ECG_ELEC_POTL_V2^MDC|1.2.1.3|1^2^3|266419^MDC_DIM_MICRO_VOLT^MDC',
      ),
    );
    const r = mapOruR01(msg, { receivedAt: RECEIVED, defaultSampleRateHz: { ecg: 250, pleth: 100 } });
    expect(r.waveforms).toMatchObject([{ signals: ['Pleth'], sampleRateHz: 100 }]);
    expect(r.errors).toEqual([
      'OBX 3: waveform 131331^MDC_ECG_ELEC_POTL_V1^MDC has non-numeric samples; ignored',
      'OBX 4: waveform 131332^MDC_ECG_ELEC_POTL_V2^MDC has value type ST, expected NA; ignored',
      'OBX 1: no MDC_ATTR_SAMP_RATE for Pleth; assumed 100 Hz',
      'OBX 2: ECG II without a voltage unit (mV or µV); ignored',
    ]);
  });

  it('clips samples beyond 16 bits and says so', () => {
    const msg = parsed(
      seg(
        'MSH|^~\\&|GW|ICU|||20240315143015+0100||ORU^R01|W3|P|2.6',
        'OBX|1|NA|131330^MDC_ECG_ELEC_POTL_II^MDC|1|0^40000^-40000|266419^MDC_DIM_MICRO_VOLT^MDC||||||||20240315143014+0100',
        'OBX|2|NM|0^MDC_ATTR_SAMP_RATE^MDC|1.1|500|264608^MDC_DIM_PER_SEC^MDC',
      ),
    );
    const r = mapOruR01(msg, { receivedAt: RECEIVED });
    expect([...r.waveforms[0]!.samples]).toEqual([0, 32767, -32768]);
    expect(r.errors).toEqual(['II: 2 samples outside the 16-bit range were clipped']);
  });
});
