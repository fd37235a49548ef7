import { shanghaiDate } from '../../shared/domain/dates.ts';
import { attachmentKinds } from '../../shared/domain/documents.ts';
import type { AttachmentRecord } from '../../shared/model/application.ts';
import { draftBody, programmeBody } from './fixtures.ts';

/** The enterprise (under 东昌府区) whose workers take part in a rush. */
export const rushEmployerOrgId = 'lc-dcf-gucheng-textile';
export const rushUnitOrgId = 'lc-dongchangfu';

/**
 * `POST /v1/programmes` body: a programme open today (applications and a review batch) with one
 * unit, 东昌府区, of `places` places. Shared by the contention tests and the benchmarks.
 */
export function rushProgrammeBody(programmeId: string, places: number, now = new Date()) {
  return programmeBody(
    {
      id: programmeId,
      title: '并发测试',
      levels: ['junior_college'],
      allocations: [
        { unitOrgId: rushUnitOrgId, places, funding: [{ funderOrgId: 'sd', amountFen: 100000 }] },
      ],
    },
    now,
  );
}

/** `POST /v1/applications` body of the n-th worker of a rush: a complete, eligible draft. */
export function rushDraftBody(programmeId: string, n: number, now = new Date()) {
  return draftBody(100_000 + n, {
    programmeId,
    employerOrgId: rushEmployerOrgId,
    enrolmentYear: Number(shanghaiDate(now).slice(0, 4)),
  });
}

/**
 * The five documents of the n-th draft, already verified: written straight to the table, since a
 * rush is about submitting, not uploading.
 */
export function verifiedAttachments(applicationId: string, n: number, at: string): AttachmentRecord[] {
  return attachmentKinds.map((kind) => ({
    attachmentId: `${kind.replace(/_/g, '')}${n}`,
    applicationId,
    kind,
    contentType: 'image/png',
    declaredBytes: 16,
    key: `applications/${applicationId}/${kind}`,
    status: 'verified',
    sizeBytes: 16,
    createdAt: at,
  }));
}
