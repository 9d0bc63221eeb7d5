/**
 * The audible vital-signs alarm: the IEC 60601-1-8 medium-priority burst
 * (three pulses, C5–E5–G5 rising, "general" melody) on a triangle wave,
 * repeated every 7 s while any alarm sounds. Deliberately unlike the queue's
 * new-request chime (a soft descending sine 880 → 660 Hz, alertSound.ts), so
 * a doctor can tell "a patient's value" from "a new patient" without looking.
 */
const PULSES: readonly number[] = [523.25, 659.25, 783.99];
const PULSE_S = 0.15;
const PULSE_GAP_S = 0.08;
const REPEAT_MS = 7000;

export class AlarmTone {
  #context: AudioContext | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  get playing(): boolean {
    return this.#timer !== null;
  }

  /** Starts the repeating burst (the first one at once); no-op while playing or without WebAudio. */
  start(): void {
    if (this.#timer) return;
    const context = this.#ensureContext();
    if (!context) return;
    this.#burst(context);
    this.#timer = setInterval(() => this.#burst(context), REPEAT_MS);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  dispose(): void {
    this.stop();
    void this.#context?.close();
    this.#context = null;
  }

  #ensureContext(): AudioContext | null {
    if (this.#context) return this.#context;
    const AudioContextClass = window.AudioContext as typeof AudioContext | undefined;
    if (!AudioContextClass) return null;
    this.#context = new AudioContextClass();
    return this.#context;
  }

  #burst(context: AudioContext): void {
    // Browsers suspend audio until the user has interacted with the page; logging in did.
    if (context.state === 'suspended') void context.resume();
    PULSES.forEach((frequency, i) => {
      const start = context.currentTime + 0.02 + i * (PULSE_S + PULSE_GAP_S);
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'triangle';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.35, start + 0.02);
      gain.gain.setValueAtTime(0.35, start + PULSE_S - 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + PULSE_S);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start);
      oscillator.stop(start + PULSE_S + 0.01);
    });
  }
}
