import { createHash } from 'node:crypto';
import {
  NUMERIC_KINDS,
  type AccessTokenClaims,
  type Consult,
  type ConsultRecord,
  type NumericKind,
  type PhotoImage,
  type RecordParticipant,
  type RecordTimelineEntry,
  type VitalSample,
} from '@legevakt/shared';
import { DomainError, notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { OrganisationDirectory } from '../organisation/organisationDirectory.ts';
import type { ConsultEvent } from '../storage/consultEventRepository.ts';
import type { Storage } from '../storage/storage.ts';
import type { User } from '../storage/userRepository.ts';
import { MIN_ACCESS_REASON_LENGTH } from '../audit/audited.ts';
import { canReadRecord, doctorsOfConsult, readsRecordByBreakingGlass, type AccessWitness } from './recordAccess.ts';

const noWitness: AccessWitness = () => Promise.resolve();

/** The nurse's typed-in values that are vital signs (CRP and glucose are not; they stay in consult.measurements). */
const MANUAL_VITALS: readonly { key: keyof Consult['measurements']; kind: NumericKind }[] = [
  { key: 'systolicMmHg', kind: 'systolic' },
  { key: 'diastolicMmHg', kind: 'diastolic' },
  { key: 'pulsePerMin', kind: 'pulseRate' },
  { key: 'spo2Percent', kind: 'spo2' },
  { key: 'temperatureCelsius', kind: 'temperature' },
  { key: 'respirationPerMin', kind: 'respirationRate' },
];

/** The device field of a value typed in at intake. */
export const MANUAL_DEVICE = 'intake (typed in by the nurse)';

/**
 * The consult record as one document: the consult with its names, who took
 * part, the timeline with actor names, every vital sign (stored samples plus
 * the nurse's typed-in values), ECG strips, photos and the notes. Read by the
 * documentation view, the nurse's decision sheet and both exports.
 */
export class RecordService {
  readonly #storage: Storage;
  readonly #org: OrganisationDirectory;
  readonly #log: Logger;

  constructor(storage: Storage, org: OrganisationDirectory, log: Logger) {
    this.#storage = storage;
    this.#org = org;
    this.#log = log.child({ component: 'records' });
  }

  /**
   * The whole record, if this user may read it (see canReadRecord); a refusal
   * is a logged 403. `witness` is told the access decision once, before any
   * data is assembled.
   */
  /**
   * The record, if this user may read it. Break-the-glass: an LVS doctor who is
   * not among the consult's doctors or district reads it with a typed reason of
   * at least MIN_ACCESS_REASON_LENGTH characters, written to the access log.
   */
  async record(
    user: AccessTokenClaims,
    consultId: string,
    witness: AccessWitness = noWitness,
    breakGlassReason: string | null = null,
  ): Promise<ConsultRecord> {
    const consult = await this.#storage.consults.get(consultId);
    if (!consult) {
      await witness(null, 'denied');
      throw notFound(`consult ${consultId}`);
    }
    const events = await this.#storage.consultEvents.list(consultId);
    const doctors = doctorsOfConsult(consult, events);
    if (canReadRecord(user, consult, doctors)) {
      await witness(consult, 'allowed');
      return this.#assemble(consult, events);
    }
    const glass = readsRecordByBreakingGlass(user, consult, doctors);
    const reason = breakGlassReason?.trim() ?? '';
    if (glass && reason.length >= MIN_ACCESS_REASON_LENGTH) {
      await witness(consult, 'allowed', reason);
      this.#log.warn({ userId: user.sub, consultId, action: 'record.view', reason }, 'break-the-glass access');
      return this.#assemble(consult, events);
    }
    await witness(consult, 'denied', glass ? breakGlassReason : null);
    this.#log.warn(
      { userId: user.sub, role: user.role, workplace: user.workplace, consultId, action: 'record.view' },
      'access denied',
    );
    throw new DomainError(
      'FORBIDDEN',
      glass
        ? `not your consult: to open it anyway, give a reason of at least ${MIN_ACCESS_REASON_LENGTH} characters`
        : 'not your consult',
    );
  }

  /**
   * The image bytes of a record's photos, for the exports (read after the
   * record's own access decision, which covers them). A photo whose bytes are
   * missing or do not match the stored SHA-256 fails the export: a journal
   * copy with a wrong or silently missing image is worse than none.
   */
  async photoImages(record: Pick<ConsultRecord, 'photos'>): Promise<PhotoImage[]> {
    const images: PhotoImage[] = [];
    for (const photo of record.photos) {
      const stored = await this.#storage.photos.image(photo.id);
      if (!stored) throw new Error(`photo ${photo.id} of the record has no stored image`);
      const sha256 = createHash('sha256').update(stored.bytes).digest('hex');
      if (sha256 !== photo.sha256) {
        this.#log.error({ photoId: photo.id, consultId: photo.consultId }, 'stored photo does not match its SHA-256');
        throw new Error(`photo ${photo.id}: the stored image does not match its SHA-256`);
      }
      images.push({ photoId: photo.id, bytes: stored.bytes });
    }
    return images;
  }

  async #assemble(consult: Consult, events: readonly ConsultEvent[]): Promise<ConsultRecord> {
    const users = new Map<string, Promise<User | null>>();
    const userOf = (id: string): Promise<User | null> => {
      let found = users.get(id);
      if (!found) {
        found = this.#storage.users.findById(id);
        users.set(id, found);
      }
      return found;
    };
    const nameOf = async (id: string): Promise<string> => (await userOf(id))?.displayName ?? id;

    const [stored, strips, photos, notes] = await Promise.all([
      this.#storage.vitals.samples(consult.id),
      this.#storage.strips.list(consult.id),
      this.#storage.photos.list(consult.id),
      this.#storage.notes.list(consult.id),
    ]);
    const timeline: RecordTimelineEntry[] = await Promise.all(
      events.map(async (e) => ({
        at: e.at,
        // Stored with underscores (call_ended); the record speaks hyphens (call-ended) like ConsultChange.
        kind: e.kind.replaceAll('_', '-'),
        actorName: e.actorUserId ? await nameOf(e.actorUserId) : null,
        data: e.data,
      })),
    );

    // Requester first, then each doctor in the order they held the consult, then any other author of a note.
    const participantIds = [consult.requestedBy, ...doctorsInOrder(consult, events), ...notes.map((n) => n.authorId)];
    const participants: RecordParticipant[] = [];
    for (const id of new Set(participantIds)) {
      const user = await userOf(id);
      // A guest is never a stored user; the narrowing keeps the record's participant roles to accounts.
      if (!user || user.role === 'guest') continue;
      participants.push({
        userId: user.id,
        name: user.displayName,
        role: user.role,
        workplaceName: this.#org.placeName(user.workplace),
      });
    }

    return {
      consult,
      districtName: this.#org.districtName(consult.districtId),
      placeName:
        consult.origin === 'satellite'
          ? (this.#org.satellite(consult.satelliteId ?? '')?.name ?? consult.satelliteId ?? '')
          : consult.origin === 'station'
            ? (this.#org.station(consult.stationId ?? '')?.name ?? consult.stationId ?? '')
            : (this.#org.ambulanceUnit(consult.ambulanceUnitId ?? '')?.name ?? consult.ambulanceUnitId ?? ''),
      lvsSiteName: consult.claimedSiteId ? (this.#org.site(consult.claimedSiteId)?.name ?? null) : null,
      participants,
      timeline,
      vitals: mergeByTime(manualSamples(consult), stored),
      strips,
      // Metadata only: the images are fetched one by one (GET /api/consults/:id/photos/:photoId).
      photos,
      notes,
    };
  }
}

/** Each doctor who held the consult, in the order of the timeline (claims and transfer targets), then the holder. */
function doctorsInOrder(consult: Consult, events: readonly ConsultEvent[]): string[] {
  const ids: string[] = [];
  for (const e of events) {
    if (e.kind === 'claimed' && e.actorUserId) ids.push(e.actorUserId);
    const to = e.data['toDoctorId'];
    if (e.kind === 'transferred' && typeof to === 'string') ids.push(to);
  }
  if (consult.claimedBy) ids.push(consult.claimedBy);
  return ids;
}

/** The nurse's typed-in values as samples of source 'manual', measured when she says (else at the request). */
export function manualSamples(consult: Consult): VitalSample[] {
  const m = consult.measurements;
  const measuredAt = m.measuredAt !== undefined ? Date.parse(m.measuredAt) : consult.requestedAt;
  const samples: VitalSample[] = [];
  for (const { key, kind } of MANUAL_VITALS) {
    const value = m[key];
    if (typeof value !== 'number') continue;
    samples.push({
      kind,
      value,
      unit: NUMERIC_KINDS[kind].ucum,
      measuredAt,
      device: MANUAL_DEVICE,
      source: 'manual',
      quality: [],
    });
  }
  return samples;
}

/** Both lists are in time order; the merge keeps that, the earlier list first on equal times. */
function mergeByTime(a: readonly VitalSample[], b: readonly VitalSample[]): VitalSample[] {
  const out: VitalSample[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x !== undefined && (y === undefined || x.measuredAt <= y.measuredAt)) {
      out.push(x);
      i += 1;
    } else if (y !== undefined) {
      out.push(y);
      j += 1;
    }
  }
  return out;
}
