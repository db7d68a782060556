import { PermissionError } from '../domain/errors.ts';
import { completeTestSession, failTestIntent, requireTestKyc, settleExpiry } from '../domain/sessions.ts';
import { scopeOf } from './auth.ts';
import type { App, RouteDeps } from './context.ts';
import { rateLimit } from './rate-limit.ts';
import { EmptyBody, ObjectIdParam } from './schemas.ts';

/**
 * Sandbox helpers (spec: controller prefix v1/test_helpers, secret key, test mode only, not in OpenAPI).
 * Both settle a due session's expiry first, so a session past its deadline answers 409 "expired".
 */
export function testHelperRoutes(app: App, deps: RouteDeps): void {
  const limit = rateLimit(deps.counter, { name: 'test_helpers', perMinute: 60, per: 'key' });
  const testModeOnly = async (request: Parameters<RouteDeps['secretKey']>[0]) => {
    if (scopeOf(request).scope.mode !== 'test')
      throw new PermissionError('Test helpers exist only in test mode; call them with your sk_test_ key');
  };
  const options = {
    onRequest: [deps.secretKey, testModeOnly],
    preHandler: [limit],
    schema: { hide: true, params: ObjectIdParam, body: EmptyBody },
  };

  app.post('/v1/test_helpers/sessions/:id/complete', options, async (request) => {
    const { scope } = scopeOf(request);
    await settleExpiry(deps.db, scope, request.params.id);
    return deps.db.transaction().execute((trx) => completeTestSession(trx, scope, request.params.id));
  });

  app.post('/v1/test_helpers/sessions/:id/fail', options, async (request) => {
    const { scope } = scopeOf(request);
    await settleExpiry(deps.db, scope, request.params.id);
    return failTestIntent(deps.db, scope, request.params.id);
  });

  app.post('/v1/test_helpers/sessions/:id/require_kyc', options, async (request) => {
    const { scope } = scopeOf(request);
    await settleExpiry(deps.db, scope, request.params.id);
    return deps.db.transaction().execute((trx) => requireTestKyc(trx, scope, request.params.id));
  });
}
