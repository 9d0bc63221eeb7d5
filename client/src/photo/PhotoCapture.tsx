import { useEffect, useState } from 'react';
import { PHOTO_CAPTION_MAX } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { useSessionSnapshot } from '../call/useConsultSession.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { ConsultSession } from '../session/ConsultSession.ts';
import { capturePhoto, type CapturedPhoto } from './capture.ts';
import { uploadPhoto } from './photoApi.ts';

/**
 * The nurse side takes a still photo from her camera in the call: at the
 * camera's full resolution, previewed, with an optional caption, then sent to
 * the doctor or discarded. When the doctor asks for one, it says so.
 */
export function PhotoCapture({ session, consultId }: { session: ConsultSession; consultId: string }) {
  const { t } = useI18n();
  const { auth, workspace } = useSession();
  const snapshot = useSessionSnapshot(session);
  const [requested, setRequested] = useState(false);
  const [busy, setBusy] = useState<'taking' | 'sending' | null>(null);
  const [preview, setPreview] = useState<(CapturedPhoto & { url: string }) | null>(null);
  const [caption, setCaption] = useState('');
  const [sent, setSent] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(
    () =>
      workspace.on('consultChanged', ({ consult, change }) => {
        if (consult.id === consultId && change === 'photo-requested') setRequested(true);
      }),
    [workspace, consultId],
  );
  // The preview's object URL goes with the preview.
  useEffect(() => (preview ? () => URL.revokeObjectURL(preview.url) : undefined), [preview]);

  const track = snapshot.localStream?.getVideoTracks()[0] ?? null;
  const canTake = track !== null && snapshot.cameraEnabled && busy === null;

  const take = () => {
    if (!track) return;
    setProblem(null);
    setBusy('taking');
    capturePhoto(track)
      .then((photo) => {
        setPreview({ ...photo, url: URL.createObjectURL(photo.blob) });
        setCaption('');
      })
      .catch((error: unknown) =>
        setProblem(
          t('photo.captureFailed').replace('{message}', error instanceof Error ? error.message : String(error)),
        ),
      )
      .finally(() => setBusy(null));
  };

  const send = () => {
    if (!preview) return;
    setProblem(null);
    setBusy('sending');
    uploadPhoto(auth, consultId, preview.blob, caption.trim())
      .then(() => {
        setPreview(null);
        setRequested(false);
        setSent((n) => n + 1);
      })
      .catch((error: unknown) =>
        // The preview stays: she can send it again or discard it.
        setProblem(t('photo.failed').replace('{message}', error instanceof Error ? error.message : String(error))),
      )
      .finally(() => setBusy(null));
  };

  return (
    <section className="flex flex-col gap-3 rounded-xl bg-white p-4 shadow" aria-labelledby="photo-capture-heading">
      <h3 id="photo-capture-heading" className="text-xl font-semibold">
        {t('photo.heading')}
      </h3>
      {requested && !preview ? (
        <p role="alert" className="rounded-lg bg-amber-100 p-3 text-lg text-amber-950" data-testid="photo-requested">
          {t('photo.requested')}
        </p>
      ) : null}
      {preview ? (
        <div className="flex flex-col gap-3" data-testid="photo-preview" data-capture-method={preview.method}>
          <img
            src={preview.url}
            alt={t('photo.preview')}
            className="max-h-[60vh] w-full rounded-lg bg-slate-800 object-contain"
          />
          <p className="text-base text-slate-700" data-testid="photo-preview-size">
            {t('photo.size').replace('{w}', String(preview.width)).replace('{h}', String(preview.height))}
          </p>
          <label className="flex flex-col gap-1 text-lg">
            {t('photo.caption')}
            <input
              type="text"
              className="min-h-12 rounded-lg border border-slate-500 px-3"
              maxLength={PHOTO_CAPTION_MAX}
              value={caption}
              onChange={(e) => setCaption(e.target.value)}
              data-testid="photo-caption"
            />
          </label>
          <div className="flex flex-wrap gap-3">
            <button
              type="button"
              className="min-h-14 rounded-xl bg-green-800 px-6 text-xl font-semibold text-white disabled:opacity-50"
              disabled={busy !== null}
              onClick={send}
              data-testid="photo-send"
            >
              {busy === 'sending' ? t('photo.sending') : t('photo.send')}
            </button>
            <button
              type="button"
              className="min-h-14 rounded-xl border-2 border-slate-600 px-6 text-xl font-semibold disabled:opacity-50"
              disabled={busy !== null}
              onClick={() => setPreview(null)}
              data-testid="photo-discard"
            >
              {t('photo.discard')}
            </button>
          </div>
        </div>
      ) : (
        <div className="flex flex-wrap items-center gap-3">
          <button
            type="button"
            className={`min-h-14 rounded-xl px-6 text-xl font-semibold text-white disabled:opacity-50 ${requested ? 'bg-amber-700' : 'bg-sky-800'}`}
            disabled={!canTake}
            onClick={take}
            data-testid="photo-take"
          >
            {busy === 'taking' ? t('photo.taking') : t('photo.take')}
          </button>
          {!snapshot.cameraEnabled ? <span className="text-lg">{t('photo.cameraOff')}</span> : null}
        </div>
      )}
      {sent > 0 && !preview ? (
        <p role="status" className="text-lg text-green-900" data-testid="photo-sent">
          {t('photo.sent')}
        </p>
      ) : null}
      {problem ? (
        <p role="alert" className="text-lg text-red-800">
          {problem}
        </p>
      ) : null}
    </section>
  );
}
