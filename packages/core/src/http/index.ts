/**
 * core's HTTP/1.1 wire layer: the request parser, the error catalogue of rejections, the pre-encoded
 * error responses and the cached Date value.
 */
export { HttpError, HttpErrors, type HttpErrorCode } from './errors';
export { formatHttpDate, httpDate } from './date';
export { PreEncodedResponse, REASON_PHRASES, errorResponse, errorResponseFor, preEncodedResponse } from './responses';
export { createHead, headerValue, releaseHead, type RequestHead } from './head';
export {
  HttpRequestParser, ParserState, type ParserHandler, type ParserLimits, type ParserStateValue,
} from './parser';
