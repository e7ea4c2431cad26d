/** Pure HTTP/1.1 framing: request heads, multipart bodies, the strict response parser. */
export { frameRequest, collectBody, CATEGORIES } from './request.ts';
export type { RequestSpec, Category, MultipartPart } from './request.ts';
export { multipartBody, randomBoundary, assertBoundary } from './multipart.ts';
export { buildRequestHead } from './request-head.ts';
export type { HeaderEntry } from './request-head.ts';
export { assertHeaderValue, uriHeaderValue, metadataHeaderValue } from './header-values.ts';
export { ResponseParser, DEFAULT_RESPONSE_LIMITS } from './response-parser.ts';
export type { HttpResponse, ResponseLimits } from './response-parser.ts';
export * from './errors.ts';
