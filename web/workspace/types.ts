/**
 * The shapes the workspace API returns are defined once in schema/workspace-api.ts, which the server's routes are
 * typed with too: a change on either side fails the typecheck of the other.
 */
import type { LeadStatus, ProposedChangesView, WorkspaceLead } from '../../schema/workspace-api.js';

export type {
  AuditEntry,
  ComplianceRequest,
  CorrectionResult,
  DefinitionListing,
  FormInsight,
  Insights,
  LeadCounts,
  LeadDetail,
  LeadFacets,
  LeadPage,
  Me,
  Role,
  StaffMember,
} from '../../schema/workspace-api.js';
export type Status = LeadStatus;
export type Lead = WorkspaceLead;
export type ProposedChanges = ProposedChangesView;

export interface Filter {
  q: string;
  form: string;
  from: string;
  to: string;
  consent: string;
  status: string;
  tag: string;
  handled: string;
  sort: string;
}

export const EMPTY_FILTER: Filter = { q: '', form: '', from: '', to: '', consent: '', status: '', tag: '', handled: '', sort: 'newest' };

export function filterQuery(filter: Filter): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter) as Array<[keyof Filter, string]>)
    if (value && !(key === 'sort' && value === 'newest')) params.set(key, value);
  return params;
}
