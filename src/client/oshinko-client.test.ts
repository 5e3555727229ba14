import { describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  InvalidInputError,
  LimitExceededError,
  TimeoutError,
  UnprocessableError,
} from '../core/errors.js';
import { apiError } from './oshinko-client.js';

const envelope = (status: number, code?: string) => ({
  errors: [
    { status, title: 'cannot create cluster', details: 'refused', ...(code === undefined ? {} : { code }) },
  ],
});

describe('apiError', () => {
  it('rebuilds the error from the code of the body, which tells a limit from other 422s', () => {
    expect(apiError(422, envelope(422, 'limit'))).toBeInstanceOf(LimitExceededError);
    expect(apiError(422, envelope(422, 'unprocessable'))).toBeInstanceOf(UnprocessableError);
    expect(apiError(400, envelope(400, 'invalid'))).toBeInstanceOf(InvalidInputError);
  });

  it('falls back on the status when the body has no code it knows (an upstream server, a proxy)', () => {
    expect(apiError(422, envelope(422))).toBeInstanceOf(UnprocessableError);
    expect(apiError(422, envelope(422, 'something-new'))).toBeInstanceOf(UnprocessableError);
    expect(apiError(504, undefined)).toBeInstanceOf(TimeoutError);
    expect(apiError(502, undefined)).toBeInstanceOf(BackendUnavailableError);
    expect(apiError(422, envelope(422, 'limit')).api).toEqual({
      status: 422,
      title: 'cannot create cluster',
      field: undefined,
    });
  });
});
