/** One problem with one field of what a client sent: where (a dotted path) and what, in Chinese. */
export interface FieldError {
  path: string;
  message: string;
}
