/** What an account (the token's `sub`) may be: a worker applying, a union's reviewer or admin. */
export const roles = ['worker', 'reviewer', 'admin'] as const;
export type Role = (typeof roles)[number];
