// Result shapes shared by the runner, the report and bench/results/capacity.json.

export type Mode = 'srtp' | 'plain';

export interface WorkerInfo {
  path: string;
  /** <mediasoup version>-<hash> directory name of build.sh's cache, when the binary is from there. */
  cacheKey: string | undefined;
  sha256: string;
  /** Which crypto libsrtp uses in this binary, as far as the binary itself shows. */
  srtpCrypto: 'openssl (static libsrtp2)' | 'nss (system libsrtp2.so)' | 'unknown';
}

export interface SeriesSpec {
  label: string;
  mode: Mode;
  workerBin: string;
  worker: WorkerInfo;
}

export interface StepResult {
  consults: number;
  /** Worker process CPU (user + system) over the window, percent of one core. */
  workerCpuPercent: number;
  workerRssMiB: number;
  /** RTP packets/s the participants sent to the worker. */
  offeredPacketsPerSecond: number;
  /** RTP packets/s the worker delivered to the counting sinks. */
  forwardedPacketsPerSecond: number;
  usPerForwardedPacket: number;
  windowSeconds: number;
  sent: number;
  received: number;
  /** Gaps in the sinks' RTP sequence numbers during the window. */
  lostBySeq: number;
  lossRate: number;
  /** Consumer streams that delivered nothing in the window (should be 0). */
  silentStreams: number;
  /** System-wide UDP receive-buffer drops during the window. */
  udpRcvbufErrors: number;
  /** CPU on the worker's core used by anything but the worker (interference). */
  workerCoreOtherPercent: number;
  /** Busy % of the load core: near 100 means the load side, not the worker, limited the step. */
  loadCoreBusyPercent: number;
  /** Earlier windows of this step thrown away because other processes used either core. */
  disturbedWindowsDiscarded: number;
}

export interface CapacityAt85 {
  consults: number | undefined;
  method: 'interpolated' | 'extrapolated' | 'none';
}

export interface SeriesResult extends SeriesSpec {
  steps: StepResult[];
  stopReason: string;
  at85?: CapacityAt85;
}
