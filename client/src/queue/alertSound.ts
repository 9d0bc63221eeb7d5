/**
 * A short two-tone chime for a new request, made with WebAudio so no sound file
 * is needed. Red requests chime three times. Browsers allow audio only after
 * the user has interacted with the page, which logging in does.
 */
export function playQueueChime(urgent: boolean): void {
  const AudioContextClass = window.AudioContext as typeof AudioContext | undefined;
  if (!AudioContextClass) return;
  const context = new AudioContextClass();
  const repeats = urgent ? 3 : 1;
  for (let i = 0; i < repeats; i++) {
    for (const [offset, frequency] of [
      [0, 880],
      [0.18, 660],
    ] as const) {
      const start = context.currentTime + i * 0.5 + offset;
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.17);
    }
  }
  setTimeout(() => void context.close(), repeats * 500 + 500);
}
