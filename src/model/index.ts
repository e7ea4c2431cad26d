/** The acquisition document model: types, validation, errors. */
export * from './document.ts';
export { DocumentError, valuePath } from './errors.ts';
export type { DocumentErrorCode } from './errors.ts';
export { validateDocument, inspectDocument, MAX_ROWS } from './validate.ts';
export type { ValidateOptions, ValuesShape } from './validate.ts';
export { loneSurrogateAt, utf8Length } from './strings.ts';
