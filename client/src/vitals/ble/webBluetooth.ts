import type { VitalSample } from '@legevakt/shared';
import { BLOOD_PRESSURE_MEASUREMENT, BLOOD_PRESSURE_SERVICE, decodeBloodPressure } from './bloodPressure.ts';
import type { BleDecodeContext, BleDecodeResult } from './gattReader.ts';
import {
  PLX_CONTINUOUS_MEASUREMENT,
  PLX_SPOT_CHECK_MEASUREMENT,
  PULSE_OXIMETER_SERVICE,
  decodePlxContinuous,
  decodePlxSpotCheck,
} from './pulseOximeter.ts';
import { HEALTH_THERMOMETER_SERVICE, TEMPERATURE_MEASUREMENT, decodeTemperature } from './thermometer.ts';

/*
 * Web Bluetooth glue: pick a device offering one of the health services,
 * subscribe to its measurement characteristics, decode, and hand over samples.
 * lib.dom has no Web Bluetooth types, so the few members used are declared here.
 */

interface GattCharacteristic extends EventTarget {
  readonly value?: DataView | null;
  startNotifications(): Promise<GattCharacteristic>;
}
interface GattService {
  getCharacteristic(characteristic: number): Promise<GattCharacteristic>;
}
interface GattServer {
  readonly connected: boolean;
  connect(): Promise<GattServer>;
  disconnect(): void;
  getPrimaryService(service: number): Promise<GattService>;
}
interface BluetoothDeviceLike extends EventTarget {
  readonly id: string;
  readonly name?: string;
  readonly gatt?: GattServer;
}
export interface BluetoothLike {
  requestDevice(options: {
    filters: { services: number[] }[];
    optionalServices?: number[];
  }): Promise<BluetoothDeviceLike>;
}

type Decoder = (view: DataView, ctx: BleDecodeContext) => BleDecodeResult;

const SUBSCRIPTIONS: readonly { service: number; characteristic: number; decode: Decoder }[] = [
  { service: PULSE_OXIMETER_SERVICE, characteristic: PLX_SPOT_CHECK_MEASUREMENT, decode: decodePlxSpotCheck },
  { service: PULSE_OXIMETER_SERVICE, characteristic: PLX_CONTINUOUS_MEASUREMENT, decode: decodePlxContinuous },
  { service: BLOOD_PRESSURE_SERVICE, characteristic: BLOOD_PRESSURE_MEASUREMENT, decode: decodeBloodPressure },
  { service: HEALTH_THERMOMETER_SERVICE, characteristic: TEMPERATURE_MEASUREMENT, decode: decodeTemperature },
];

const SERVICES = [PULSE_OXIMETER_SERVICE, BLOOD_PRESSURE_SERVICE, HEALTH_THERMOMETER_SERVICE];

export interface BleVitalsOptions {
  onSamples: (samples: VitalSample[]) => void;
  /** Decoding notes and lost connections. */
  onError?: (message: string) => void;
  /** Defaults to navigator.bluetooth. */
  bluetooth?: BluetoothLike;
}

export interface BleVitalsConnection {
  /** Label used as VitalSample.device. */
  device: string;
  /** Characteristics subscribed to (16-bit UUIDs). */
  characteristics: number[];
  close(): void;
}

export function webBluetooth(): BluetoothLike | undefined {
  if (typeof navigator === 'undefined') return undefined;
  return (navigator as Navigator & { bluetooth?: BluetoothLike }).bluetooth;
}

/** Must be called from a user gesture (the browser shows its device picker). */
export async function connectBleVitals(options: BleVitalsOptions): Promise<BleVitalsConnection> {
  const bluetooth = options.bluetooth ?? webBluetooth();
  if (bluetooth === undefined) throw new Error('Web Bluetooth is not available in this browser');
  const device = await bluetooth.requestDevice({
    filters: SERVICES.map((s) => ({ services: [s] })),
    optionalServices: SERVICES,
  });
  const gatt = device.gatt;
  if (gatt === undefined) throw new Error('The device has no GATT server');
  const server = await gatt.connect();
  const label = (device.name ?? '').trim() || `ble:${device.id}`;
  const cleanups: (() => void)[] = [];
  const characteristics: number[] = [];

  for (const sub of SUBSCRIPTIONS) {
    let characteristic: GattCharacteristic;
    try {
      characteristic = await (await server.getPrimaryService(sub.service)).getCharacteristic(sub.characteristic);
    } catch {
      continue; // the device does not offer this one
    }
    const onChange = (): void => {
      const view = characteristic.value;
      if (view == null) return;
      const result = sub.decode(view, { device: label, receivedAt: Date.now() });
      for (const e of result.errors) options.onError?.(e);
      if (result.samples.length > 0) options.onSamples(result.samples);
    };
    characteristic.addEventListener('characteristicvaluechanged', onChange);
    cleanups.push(() => {
      characteristic.removeEventListener('characteristicvaluechanged', onChange);
    });
    await characteristic.startNotifications();
    characteristics.push(sub.characteristic);
  }
  if (characteristics.length === 0) {
    server.disconnect();
    throw new Error('The device offers no supported measurement');
  }
  const onDisconnected = (): void => options.onError?.(`${label} disconnected`);
  device.addEventListener('gattserverdisconnected', onDisconnected);
  cleanups.push(() => {
    device.removeEventListener('gattserverdisconnected', onDisconnected);
  });

  return {
    device: label,
    characteristics,
    close: () => {
      for (const c of cleanups) c();
      if (server.connected) server.disconnect();
    },
  };
}
