import { useEffect, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

/**
 * The vitals panel in a window of its own (a second monitor beside the
 * call). Rather than a second copy of the app with its own data consumer,
 * the opener renders the same panel into the new window through a portal:
 * one store, one set of alarms and one tone, nothing to keep in sync, and
 * it closes with the call. Code that draws in it must use the element's own
 * window (requestAnimationFrame, devicePixelRatio, ResizeObserver, key
 * events): see windowOf().
 */
export function openPopOutWindow(name: string, title: string): Window | null {
  const popup = window.open('', name, 'popup,width=1200,height=900');
  if (!popup) return null;
  const doc = popup.document;
  doc.title = title;
  doc.documentElement.lang = document.documentElement.lang;
  // The opener's styles (the built CSS file, or the dev server's style tags).
  for (const node of document.head.querySelectorAll('link[rel="stylesheet"], style')) {
    doc.head.appendChild(doc.importNode(node, true));
  }
  doc.body.className = 'bg-slate-100 p-3';
  return popup;
}

export function PopOut({ popup, onClosed, children }: { popup: Window; onClosed: () => void; children: ReactNode }) {
  const [container] = useState(() => {
    const div = popup.document.createElement('div');
    popup.document.body.appendChild(div);
    return div;
  });
  useEffect(() => {
    popup.addEventListener('pagehide', onClosed);
    // The opener reloads or closes: an orphaned window would show a frozen panel.
    const closePopup = () => popup.close();
    window.addEventListener('pagehide', closePopup);
    return () => {
      popup.removeEventListener('pagehide', onClosed);
      window.removeEventListener('pagehide', closePopup);
    };
  }, [popup, onClosed]);
  // The call ended or the panel was taken back: the window goes too.
  useEffect(() => () => popup.close(), [popup]);
  return createPortal(children, container);
}

/** The window an element is shown in (the opener's, or a popped-out one). */
export function windowOf(element: Element | null): Window & typeof globalThis {
  return (element?.ownerDocument.defaultView as (Window & typeof globalThis) | null) ?? window;
}
