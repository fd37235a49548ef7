import { availableParallelism } from 'node:os';

export interface MachineResult {
  cpus: number;
  node: string;
  when: string;
}

/** Where and when the figures were measured. */
export function machineSuite(): MachineResult {
  return { cpus: availableParallelism(), node: process.version, when: new Date().toISOString() };
}
