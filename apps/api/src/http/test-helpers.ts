import { PermissionError } from '@0bit/core/errors';
import { rateLimit } from '@0bit/http/rate-limit';
import { completeTestSession, failTestIntent, requireTestKyc, settleExpiry } from '../domain/sessions.ts';
import { scopeOf } from './auth.ts';
import type { App, RouteDeps } from './context.ts';
import { IdempotencyHeader, readIdempotencyKey, runIdempotent } from './idempotency.ts';
import { EmptyBody, ObjectIdParam } from './schemas.ts';

/**
 * Sandbox helpers (spec: controller prefix v1/test_helpers, secret key, test mode only, not in OpenAPI).
 * Both settle a due session's expiry first, so a session past its deadline answers 409 "expired".
 */
export function testHelperRoutes(app: App, deps: RouteDeps): void {
  const limit = rateLimit(deps.counter, { name: 'test_helpers', perMinute: 60, per: 'key' });
  const testModeOnly = async (request: Parameters<RouteDeps['secretKey']>[0]) => {
    if (scopeOf(request).scope.mode !== 'test')
      throw new PermissionError(
        'Test helpers exist only in test mode; call them with your sk_test_ key',
        'mode_mismatch',
      );
  };
  const options = {
    onRequest: [deps.secretKey, testModeOnly],
    preHandler: [limit],
    schema: { hide: true, headers: IdempotencyHeader, params: ObjectIdParam, body: EmptyBody },
  };
  type Helper = (...args: Parameters<typeof completeTestSession>) => Promise<unknown>;
  const helper = (path: string, run: Helper) =>
    app.post(path, options, async (request, reply) => {
      const { scope } = scopeOf(request);
      // Like cancel: the key is checked before the expiry is settled, so a request without one changes nothing.
      readIdempotencyKey(request);
      await settleExpiry(deps.db, scope, request.params.id);
      return runIdempotent(deps, request, reply, async (trx) => ({
        status: 200,
        body: await run(trx, scope, request.params.id),
      }));
    });

  helper('/v1/test_helpers/sessions/:id/complete', completeTestSession);
  helper('/v1/test_helpers/sessions/:id/fail', failTestIntent);
  helper('/v1/test_helpers/sessions/:id/require_kyc', requireTestKyc);
}
