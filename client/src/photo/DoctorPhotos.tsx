import { useCallback, useEffect, useState } from 'react';
import type { ConsultPhoto } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { listPhotos } from './photoApi.ts';
import { PhotoThumbnails } from './PhotoThumbnails.tsx';

/**
 * The doctor's photos of the active consult: "Be om bilde" asks the nurse side
 * for one, and each photo she sends appears here as it arrives (the live
 * 'photo' change), the newest marked.
 */
export function DoctorPhotos({ consultId }: { consultId: string }) {
  const { t } = useI18n();
  const { auth, workspace } = useSession();
  const [photos, setPhotos] = useState<ConsultPhoto[]>([]);
  const [asked, setAsked] = useState(false);
  const [fresh, setFresh] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(
    (markNewest: boolean) =>
      listPhotos(auth, consultId)
        .then((list) => {
          setPhotos(list);
          if (markNewest && list.length > 0) {
            setFresh(list[list.length - 1]!.id);
            setAsked(false);
          }
        })
        .catch((error: unknown) => setProblem(error instanceof Error ? error.message : String(error))),
    [auth, consultId],
  );

  useEffect(() => {
    void load(false);
  }, [load]);
  useEffect(
    () =>
      workspace.on('consultChanged', ({ consult, change }) => {
        if (consult.id === consultId && change === 'photo') void load(true);
      }),
    [workspace, consultId, load],
  );

  const ask = () => {
    setProblem(null);
    setAsked(false);
    const signaling = workspace.signaling;
    if (!signaling) {
      setProblem(t('photo.offline'));
      return;
    }
    signaling
      .request('requestPhoto', { consultId })
      .then(() => setAsked(true))
      .catch((error: unknown) => setProblem(error instanceof Error ? error.message : String(error)));
  };

  const newest = photos.find((p) => p.id === fresh);
  return (
    <section className="flex flex-col gap-3 rounded-xl bg-white p-4 shadow" aria-labelledby="doctor-photos-heading">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h3 id="doctor-photos-heading" className="text-xl font-semibold">
          {t('photo.gallery')}
        </h3>
        <button
          type="button"
          className="min-h-12 rounded-xl border-2 border-sky-800 px-4 text-lg font-semibold text-sky-900"
          onClick={ask}
          data-testid="photo-request"
        >
          {t('photo.request')}
        </button>
      </div>
      {asked ? (
        <p role="status" className="text-lg" data-testid="photo-request-sent">
          {t('photo.requestSent')}
        </p>
      ) : null}
      {newest ? (
        <p role="status" className="text-lg font-semibold text-amber-900" data-testid="photo-new">
          {t('photo.new').replace('{name}', newest.takenByName)}
        </p>
      ) : null}
      <PhotoThumbnails photos={photos} highlightId={fresh} />
      {problem ? (
        <p role="alert" className="text-red-800" data-testid="photo-request-problem">
          {problem}
        </p>
      ) : null}
    </section>
  );
}
