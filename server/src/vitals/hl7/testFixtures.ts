/**
 * ORU^R01 messages in the style of IHE PCD-01 (DEC) exports from monitor gateways,
 * for tests. Segments are joined with CR as on the wire.
 */

export const seg = (...lines: string[]): string => lines.join('\r') + '\r';

/** Philips-style gateway: MDC codes, MDS/VMD/CHAN hierarchy rows, times with UTC offset, Latin-1 declared. */
export const PHILIPS_NUMERICS = seg(
  'MSH|^~\\&|PHILIPS_GW^0001C0FFEE000001^EUI-64|LEGEVAKT|LEGEVAKT-VIDEO|LEGEVAKT|20240315143015+0100||ORU^R01^ORU_R01|20240315143015000001|P|2.6|||NE|AL||8859/1|EN^English^ISO639||IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO',
  'PID|||12345678901^^^NOFNR^NNNOR~H123456^^^LEGEVAKT^MR||Nordmann^Kari^^^^^L||19750212|F',
  'PV1||E|LV^^OBS3',
  'OBR|1|20240315143015000001^PHILIPS_GW^0001C0FFEE000001^EUI-64|20240315143015000001^PHILIPS_GW^0001C0FFEE000001^EUI-64|182777000^monitoring of patient^SNOMED-CT|||20240315143000+0100',
  'OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||0001C0FFEE000001^EUI-64',
  'OBX|2||69798^MDC_DEV_DEV_METER_PRESS_BLD_VMD^MDC|1.1.0.0|||||||X',
  'OBX|3||69799^MDC_DEV_METER_PRESS_BLD_CHAN^MDC|1.1.1.0|||||||X',
  'OBX|4|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.1.1.1|128|266016^MDC_DIM_MMHG^MDC|||||R|||20240315142955+0100',
  'OBX|5|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.1.1.2|84|266016^MDC_DIM_MMHG^MDC|||||R|||20240315142955+0100',
  'OBX|6|NM|150023^MDC_PRESS_BLD_NONINV_MEAN^MDC|1.1.1.3|99|266016^MDC_DIM_MMHG^MDC|||||R|||20240315142955+0100',
  'OBX|7|NM|147842^MDC_ECG_HEART_RATE^MDC|1.2.1.1|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||20240315143000+0100',
  'OBX|8|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||20240315143000+0100',
  'OBX|9|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC|1.3.1.2|73|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||20240315143000+0100',
  'OBX|10|NM|150364^MDC_TEMP_BODY^MDC|1.4.1.1|37.4|268192^MDC_DIM_DEGC^MDC|||||R|||20240315142900+0100',
  'OBX|11|NM|151562^MDC_RESP_RATE^MDC|1.5.1.1|16|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R|||20240315143000+0100',
);

/**
 * GE-style export: LOINC codes with UCUM units, pressures in kPa, temperature in
 * °F, local times without offset (Europe/Oslo), quality flags in OBX-8/OBX-11,
 * and rows the mapper does not know.
 */
export const GE_LOINC_KPA = seg(
  'MSH|^~\\&|CARESCAPE^GE-B450-0042|AKUTT|LEGEVAKT-VIDEO|LEGEVAKT|20240315143015||ORU^R01|GE0001|P|2.5.1',
  'PID|||17089212345^^^NOFNR^NNNOR||Ødegård^Åse',
  'OBR|1||GE0001|VITALS^Vital signs^L|||20240315143000',
  'OBX|1|NM|8480-6^Systolic blood pressure^LN||17.1|kPa^kPa^UCUM|||||F',
  'OBX|2|NM|8462-4^Diastolic blood pressure^LN||11.2|kPa^^UCUM|||||F',
  'OBX|3|NM|8310-5^Body temperature^LN||99.5|[degF]^degF^UCUM|||||F|||20240315142500',
  'OBX|4|NM|59408-5^Oxygen saturation^LN||88|%^^UCUM||L~questionable|||F',
  'OBX|5|NM|9279-1^Respiratory rate^LN||18|/min^^UCUM|||||F',
  'OBX|6|NM|8867-4^Heart rate^LN||75|{beats}/min^^UCUM|||||I',
  'OBX|7|NM|29463-7^Body weight^LN||82|kg^^UCUM|||||F',
  'OBX|8|ST|NOTE^Comment^L||Pasienten er urolig|||||||F',
);

/** A deterministic ECG-like lead II in µV (a spike every 250 samples) and a pleth wave. */
export function ecgMicrovolts(n: number, offset = 0): number[] {
  return Array.from({ length: n }, (_, i) => {
    const t = (i + offset) % 250;
    if (t === 100) return 1100;
    if (t === 99 || t === 101) return 400;
    if (t === 102) return -250;
    return Math.round(60 * Math.sin(((i + offset) / 250) * 2 * Math.PI)) || 0;
  });
}

export function plethUnits(n: number, offset = 0): number[] {
  return Array.from({ length: n }, (_, i) => 2048 + Math.round(900 * Math.sin(((i + offset) / 62.5) * 2 * Math.PI)));
}

/** Lead II at 500 Hz in µV and pleth at 125 Hz, each with its MDC_ATTR_SAMP_RATE facet row. */
export function philipsWaveforms(options: { controlId?: string; startLocal?: string; offset?: number } = {}): string {
  const start = options.startLocal ?? '20240315143014.000';
  const offset = options.offset ?? 0;
  return seg(
    `MSH|^~\\&|PHILIPS_GW^0001C0FFEE000001^EUI-64|LEGEVAKT|LEGEVAKT-VIDEO|LEGEVAKT|20240315143015+0100||ORU^R01^ORU_R01|${options.controlId ?? 'WAVE0001'}|P|2.6`,
    'PID|||12345678901^^^NOFNR^NNNOR||Nordmann^Kari',
    `OBR|1|||182777000^monitoring of patient^SNOMED-CT|||${start}+0100`,
    'OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||0001C0FFEE000001^EUI-64',
    `OBX|2|NA|131330^MDC_ECG_ELEC_POTL_II^MDC|1.2.1.1|${ecgMicrovolts(500, offset * 2).join('^')}|266419^MDC_DIM_MICRO_VOLT^MDC|||||R|||${start}+0100`,
    'OBX|3|NM|0^MDC_ATTR_SAMP_RATE^MDC|1.2.1.1.1|500|264608^MDC_DIM_PER_SEC^MDC|||||R',
    `OBX|4|NA|150452^MDC_PULS_OXIM_PLETH^MDC|1.3.1.1|${plethUnits(125, offset / 2).join('^')}|262656^MDC_DIM_DIMLESS^MDC|||||R|||${start}+0100`,
    'OBX|5|NM|0^MDC_ATTR_SAMP_RATE^MDC|1.3.1.1.1|125|264608^MDC_DIM_PER_SEC^MDC|||||R',
  );
}

/** ECG leads I and II in mV (decimals), with a data range, as some gateways send them. */
export const ECG_MILLIVOLT_TWO_LEADS = seg(
  'MSH|^~\\&|GW^ACME|ICU|||20150615145531||ORU^R01^ORU_R01|MV0001|P|2.6',
  'OBR|1|||182777000^monitoring of patient^SNOMED-CT|||20150615145531',
  'OBX|1001|NA|131329^MDC_ECG_LEAD_I^MDC|1.1.1.1001|0.0^0.029^-0.531^1.25^0.0015|266418^MDC_DIM_MILLI_VOLT^MDC||||||||20150615145531.000',
  'OBX|1002|NM|0^MDC_ATTR_SAMP_RATE^MDC|1.1.1.1001.1|256.0|264608^MDC_DIM_PER_SEC',
  'OBX|1003|NR|0^MDC_ATTR_DATA_RANGE^MDC|1.1.1.1001.2|-5.0^10.0|266418^MDC_DIM_MILLI_VOLT^MDC',
  'OBX|1005|NA|131330^MDC_ECG_LEAD_II^MDC|1.1.1.1005|0.1^0.2^0.3^0.4^0.5|266418^MDC_DIM_MILLI_VOLT^MDC||||||||20150615145531.000',
  'OBX|1006|NM|0^MDC_ATTR_SAMP_RATE^MDC|1.1.1.1005.1|256.0|264608^MDC_DIM_PER_SEC',
);

/** The same numerics as PHILIPS_NUMERICS with MSH-1 `#` and MSH-2 `$%!@` (legal, if unusual). */
export const CUSTOM_SEPARATORS = seg(
  'MSH#$%!@#GW$0001C0FFEE000002$EUI-64#ICU###20240315143015+0100##ORU$R01$ORU_R01#CUSTOM01#P#2.6',
  'PID###555$$$H$MR%777$$$NO$NNNOR##Hansen$Per',
  'OBX#1#NM#150021$MDC_PRESS_BLD_NONINV_SYS$MDC#1.1.1.1#131#266016$MDC_DIM_MMHG$MDC#####R###20240315142955+0100',
  'OBX#2#ST#X$Note!F!with!S!escapes$L##a!F!b!S!c',
);
