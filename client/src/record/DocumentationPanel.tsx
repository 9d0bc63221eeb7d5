import type { ConsultView, SignedNoteResponse } from '@legevakt/shared';
import { ConsultSummary } from '../doctor/ConsultSummary.tsx';
import { NoteForm } from './NoteForm.tsx';

/** A consult whose call has ended: what the nurse registered, beside the note to sign. */
export function DocumentationPanel({
  consult,
  onSigned,
}: {
  consult: ConsultView;
  onSigned: (signed: SignedNoteResponse) => void;
}) {
  return (
    <div className="grid gap-4 xl:grid-cols-[1fr_2fr]">
      <ConsultSummary consult={consult} />
      <NoteForm consult={consult} onSigned={onSigned} />
    </div>
  );
}
