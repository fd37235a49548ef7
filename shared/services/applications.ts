/**
 * The application services used to live here in one file; they are now split by job: `drafts.ts`,
 * `documents.ts`, `submission.ts`, `application-view.ts` (the view presenter), and
 * `reallocation.ts` (an admin service). These re-exports keep the Lambda entry points
 * (`functions/admin.ts`, `functions/applications.ts`, `functions/attachment-events.ts`) compiling
 * until they import the modules.
 */
export { getApplication, listMine } from './application-view.ts';
export { requestUpload, verifyUploadedObject } from './documents.ts';
export { createDraft, updateDraft } from './drafts.ts';
export { reallocate, setUnitShards } from './reallocation.ts';
export { submit, withdraw } from './submission.ts';
