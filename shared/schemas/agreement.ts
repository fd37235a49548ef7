/**
 * The contract's zod schemas and the model's plain types describe the same entities twice: once for
 * validating and documenting requests, once for the rules and the repositories. These types make the
 * compiler check that the two still agree, so neither can drift alone.
 */

/** `true` when `Contract` and `Model` accept exactly the same values, `false` otherwise. */
export type Agrees<Contract, Model> = [Contract] extends [Model]
  ? [Model] extends [Contract]
    ? true
    : false
  : false;

/** Compiles only for `true`: `export type OrgAgrees = Assert<Agrees<Org, model.Org>>`. */
export type Assert<T extends true> = T;
