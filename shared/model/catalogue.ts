/**
 * The catalogue of partner institutions and offerings as stored (issue 16): the records the
 * catalogue repository reads and writes, and an application's enrolment, which names an offering or
 * declares another institution.
 */

/** A partner institution as stored (合作院校); its id is its 学校标识码. */
export interface InstitutionRecord {
  id: string;
  code: string;
  name: string;
  kind: string;
  city?: string;
  contacts: { name: string; phone: string; role?: string }[];
  ownerOrgId: string;
  createdAt: string;
  updatedAt?: string;
  version: number;
}

/** An offering (专业) of a programme's catalogue as stored, with its institution's name and code. */
export interface OfferingRecord {
  offeringId: string;
  programmeId: string;
  institutionId: string;
  institutionName: string;
  institutionCode: string;
  major: string;
  level: string;
  mode: string;
  years: number;
  tuitionFen: number;
  tags: string[];
  unitOrgId?: string;
  addedByOrgId: string;
  status: 'offered' | 'retired';
  createdAt: string;
  updatedAt?: string;
  retiredAt?: string;
  version: number;
}

/**
 * An application's enrolment as stored (R3/R4). Chosen from the catalogue it carries the offering's
 * id and a snapshot of what the worker chose — the application keeps it even when the offering is
 * later edited or retired. Declared (free text) it names another accredited institution: 非合作院校.
 */
export interface StoredEnrolment {
  institution: string;
  major: string;
  level: string;
  enrolledOn: string;
  offeringId?: string;
  institutionId?: string;
  institutionCode?: string;
  mode?: string;
  years?: number;
  tuitionFen?: number;
  tags?: string[];
}
