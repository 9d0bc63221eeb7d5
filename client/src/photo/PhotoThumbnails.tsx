import { useEffect, useState } from 'react';
import type { ConsultPhoto } from '@legevakt/shared';
import { useSession } from '../app/SessionContext.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime } from '../record/recordFormat.ts';
import { Modal } from '../vitals/Modal.tsx';
import { fetchPhoto } from './photoApi.ts';

/**
 * The consult's photos as thumbnails (the same image, scaled by CSS); a click
 * opens it full size with its caption, time and who took it. The images are
 * fetched with the token (a plain <img src> cannot carry it) into object URLs,
 * released when the list changes or the view goes.
 */
export function PhotoThumbnails({
  photos,
  highlightId,
}: {
  photos: readonly ConsultPhoto[];
  highlightId?: string | null;
}) {
  const { t, locale } = useI18n();
  const { auth } = useSession();
  // Per photo: its object URL, null when it could not be fetched, absent while loading.
  const [urls, setUrls] = useState<ReadonlyMap<string, string | null>>(new Map());
  const [open, setOpen] = useState<ConsultPhoto | null>(null);
  const key = photos.map((p) => p.id).join(',');

  useEffect(() => {
    let cancelled = false;
    const made: string[] = [];
    for (const photo of photos) {
      fetchPhoto(auth, photo)
        .then((blob) => {
          if (cancelled) return;
          const url = URL.createObjectURL(blob);
          made.push(url);
          setUrls((m) => new Map(m).set(photo.id, url));
        })
        .catch(() => {
          if (!cancelled) setUrls((m) => new Map(m).set(photo.id, null));
        });
    }
    return () => {
      cancelled = true;
      for (const url of made) URL.revokeObjectURL(url);
      setUrls(new Map());
    };
    // The ids decide; a new array with the same photos fetches nothing again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [auth, key]);

  if (photos.length === 0) return <p className="text-lg text-slate-700">{t('photo.none')}</p>;
  const caption = (p: ConsultPhoto) => p.caption || t('photo.noCaption');
  const openUrl = open ? urls.get(open.id) : undefined;
  return (
    <>
      <ul className="flex flex-wrap gap-3" data-testid="photo-thumbnails">
        {photos.map((p) => {
          const url = urls.get(p.id);
          return (
            <li key={p.id} className="flex w-48 flex-col gap-1">
              <button
                type="button"
                className={`overflow-hidden rounded-lg border-4 ${p.id === highlightId ? 'border-amber-500' : 'border-slate-300'} bg-slate-800 focus:outline-4 focus:outline-sky-700`}
                aria-label={t('photo.open').replace('{caption}', caption(p))}
                onClick={() => setOpen(p)}
                data-testid="photo-thumbnail"
                data-photo-id={p.id}
              >
                {url ? (
                  <img src={url} alt={caption(p)} className="aspect-video w-full object-contain" />
                ) : (
                  <span className="flex aspect-video items-center justify-center p-2 text-white">
                    {url === null ? t('photo.loadFailed') : '…'}
                  </span>
                )}
              </button>
              <span className="text-sm text-slate-800">
                {formatDateTime(p.takenAt, locale)}, {p.takenByName}
              </span>
              <span className="text-base">{caption(p)}</span>
            </li>
          );
        })}
      </ul>
      {open ? (
        <Modal title={caption(open)} onClose={() => setOpen(null)}>
          <figure className="flex flex-col gap-2" data-testid="photo-full">
            {openUrl ? (
              // Full size, scrolled if it is larger than the screen: the doctor looks at detail.
              <div className="max-h-[75vh] max-w-[90vw] overflow-auto">
                <img src={openUrl} alt={caption(open)} width={open.width} height={open.height} className="max-w-none" />
              </div>
            ) : (
              <p>{openUrl === null ? t('photo.loadFailed') : '…'}</p>
            )}
            <figcaption className="text-lg">
              {formatDateTime(open.takenAt, locale)}, {open.takenByName} · {open.width} × {open.height}
            </figcaption>
          </figure>
          <button
            type="button"
            className="mt-3 min-h-12 rounded-xl border-2 border-slate-600 px-5 text-lg font-semibold"
            onClick={() => setOpen(null)}
          >
            {t('photo.close')}
          </button>
        </Modal>
      ) : null}
    </>
  );
}
