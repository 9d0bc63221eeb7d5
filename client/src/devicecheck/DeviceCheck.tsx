import { useEffect, useId, useRef, useState } from 'react';
import { formatNumber } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/nb.ts';
import type { AuthSession } from '../session/AuthSession.ts';
import { measureCamera, measureMicrophone, measureNetwork, openTrack, playTestTone } from './probes.ts';
import {
  cameraVerdict,
  fillPlaceholders,
  microphoneVerdict,
  networkVerdicts,
  overallLevel,
  speakerVerdict,
  type CheckName,
  type Finding,
  type Level,
} from './verdict.ts';

const CHECKS: readonly CheckName[] = ['camera', 'microphone', 'speaker', 'network'];

const LEVEL_STYLE: Record<Level | 'pending', string> = {
  ok: 'bg-green-800 text-white',
  warn: 'bg-amber-300 text-slate-950',
  fail: 'bg-red-800 text-white',
  pending: 'bg-slate-200 text-slate-900',
};

const SUMMARY: Record<Level, MessageKey> = {
  ok: 'deviceCheck.summary.ok',
  warn: 'deviceCheck.summary.warn',
  fail: 'deviceCheck.summary.fail',
};

interface DeviceCheckProps {
  auth: Pick<AuthSession, 'accessToken' | 'refresh'>;
  /** Every check has an answer: this shift's check is done (whatever it found). */
  onCompleted: () => void;
  onClose: () => void;
}

/**
 * Camera, microphone, speaker and network, each with a verdict in plain words
 * that says what is wrong and how to fix it. The camera and microphone are
 * released when the check ends, so the call can have them.
 */
export function DeviceCheck({ auth, onCompleted, onClose }: DeviceCheckProps) {
  const { t, locale } = useI18n();
  const headingId = useId();
  const videoRef = useRef<HTMLVideoElement>(null);
  const tracks = useRef<MediaStreamTrack[]>([]);
  const [running, setRunning] = useState(false);
  const [findings, setFindings] = useState<Partial<Record<CheckName, Finding[]>>>({});
  const [tonePlayed, setTonePlayed] = useState(false);
  const [playing, setPlaying] = useState(false);

  const release = () => {
    for (const track of tracks.current) track.stop();
    tracks.current = [];
    if (videoRef.current) videoRef.current.srcObject = null;
  };
  useEffect(() => release, []);

  const set = (check: CheckName, found: Finding[]) => setFindings((all) => ({ ...all, [check]: found }));

  const run = async () => {
    setRunning(true);
    setFindings((all) => (all.speaker ? { speaker: all.speaker } : {}));
    release();
    const [camera, microphone] = await Promise.all([openTrack('video'), openTrack('audio')]);
    for (const opened of [camera, microphone]) if ('track' in opened) tracks.current.push(opened.track);
    const video = videoRef.current;
    await Promise.all([
      ('track' in camera && video
        ? measureCamera(camera.track, video)
        : Promise.resolve({ ok: false as const, failure: 'failure' in camera ? camera.failure : 'failed' })
      ).then((m) => set('camera', [cameraVerdict(m)])),
      ('track' in microphone
        ? measureMicrophone(microphone.track)
        : Promise.resolve({ ok: false as const, failure: microphone.failure })
      ).then((m) => set('microphone', [microphoneVerdict(m)])),
      measureNetwork(auth).then((m) => set('network', networkVerdicts(m))),
    ]);
    release();
    setRunning(false);
  };

  const playTone = () => {
    setPlaying(true);
    playTestTone()
      .catch((error: unknown) => console.warn('device check: the test tone did not play', error))
      .finally(() => {
        setPlaying(false);
        setTonePlayed(true);
      });
  };

  const complete = CHECKS.every((c) => findings[c] !== undefined);
  useEffect(() => {
    if (complete) onCompleted();
  }, [complete, onCompleted]);

  const all = CHECKS.flatMap((c) => findings[c] ?? []);
  // Pixel counts are written like the camera's specification ("1280 × 720"), other numbers the Norwegian way.
  const sentence = (f: Finding) =>
    fillPlaceholders(t(f.message), f.values, (v, name) =>
      name === 'width' || name === 'height' ? String(v) : formatNumber(v, locale),
    );
  const button = 'min-h-12 rounded-xl px-5 text-lg font-semibold disabled:opacity-50';

  return (
    <section
      aria-labelledby={headingId}
      className="flex flex-col gap-4 rounded-xl bg-white p-5 shadow"
      data-testid="device-check"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id={headingId} className="text-2xl font-semibold">
            {t('deviceCheck.heading')}
          </h2>
          <p className="text-lg">{t('deviceCheck.intro')}</p>
        </div>
        <button
          type="button"
          className={`${button} border-2 border-slate-600 text-slate-900`}
          onClick={() => {
            release();
            onClose();
          }}
        >
          {t('deviceCheck.close')}
        </button>
      </div>
      <div className="grid gap-4 md:grid-cols-[minmax(12rem,20rem)_1fr]">
        <video
          ref={videoRef}
          aria-label={t('deviceCheck.preview')}
          className="aspect-video w-full rounded-lg bg-slate-800"
          playsInline
          muted
        />
        <div className="flex flex-col gap-3">
          <div className="flex flex-wrap gap-3">
            <button
              type="button"
              disabled={running}
              className={`${button} bg-sky-800 text-white`}
              onClick={() => void run()}
            >
              {running ? t('deviceCheck.running') : findings.camera ? t('deviceCheck.again') : t('deviceCheck.start')}
            </button>
          </div>
          {running && !findings.network ? <p className="text-lg">{t('deviceCheck.network.measuring')}</p> : null}
          <div className="flex flex-col gap-2 rounded-lg border-2 border-slate-300 p-3">
            <p>{t('deviceCheck.speaker.prompt')}</p>
            <div className="flex flex-wrap gap-3">
              <button
                type="button"
                disabled={playing}
                className={`${button} border-2 border-sky-800 text-sky-900`}
                onClick={playTone}
              >
                {t('deviceCheck.speaker.play')}
              </button>
              <button
                type="button"
                disabled={!tonePlayed}
                className={`${button} bg-green-800 text-white`}
                onClick={() => set('speaker', [speakerVerdict('heard')])}
              >
                {t('deviceCheck.speaker.heard')}
              </button>
              <button
                type="button"
                disabled={!tonePlayed}
                className={`${button} border-2 border-red-800 text-red-900`}
                onClick={() => set('speaker', [speakerVerdict('notHeard')])}
              >
                {t('deviceCheck.speaker.notHeardButton')}
              </button>
            </div>
          </div>
        </div>
      </div>
      <ul className="flex flex-col gap-2" aria-label={t('deviceCheck.heading')}>
        {CHECKS.map((check) => {
          const found = findings[check];
          const level = found ? overallLevel(found) : 'pending';
          return (
            <li
              key={check}
              data-testid={`device-check-${check}`}
              data-level={level}
              className="flex flex-wrap items-start gap-3 rounded-lg bg-slate-50 p-3"
            >
              <span className="w-28 text-lg font-semibold">{t(`deviceCheck.check.${check}`)}</span>
              <span className={`rounded-full px-3 py-1 font-semibold ${LEVEL_STYLE[level]}`}>
                {t(`deviceCheck.level.${level}`)}
              </span>
              <div className="flex min-w-60 flex-1 flex-col gap-1 text-lg">
                {(found ?? []).map((f) => (
                  <p key={f.message}>{sentence(f)}</p>
                ))}
              </div>
            </li>
          );
        })}
      </ul>
      <p
        role="status"
        data-testid="device-check-summary"
        className={complete ? `rounded-lg p-3 text-lg font-semibold ${LEVEL_STYLE[overallLevel(all)]}` : 'sr-only'}
      >
        {complete ? t(SUMMARY[overallLevel(all)]) : ''}
      </p>
    </section>
  );
}
