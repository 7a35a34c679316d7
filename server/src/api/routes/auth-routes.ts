import { Type } from '@sinclair/typebox';
import { PERMISSIONS, type LoginResult, type PublicUser, type SessionTokens } from '@loopedge/security';
import { ApiError } from '../errors.js';
import { clearSessionCookies, CSRF_COOKIE, CSRF_HEADER, REFRESH_COOKIE, setSessionCookies } from '../cookies.js';
import { sameSecret } from '../authenticate.js';
import { StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute, type Principal, type RouteContext } from '../route-types.js';
import { PublicUserSchema, requirePrincipal, requireSession } from './shared.js';

const Username = Type.String({ minLength: 1, maxLength: 64 });
// Longer than the policy allows, so the policy (not the schema) explains what is wrong.
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const TotpCode = Type.String({ pattern: '^[0-9]{6}$' });

const SessionSchema = Type.Object({
  user: PublicUserSchema,
  csrfToken: Type.String(),
  accessExpiresAt: Type.Number(),
  refreshExpiresAt: Type.Number(),
});

const EnrollmentSchema = Type.Object({ secret: Type.String(), otpauthUrl: Type.String(), qrDataUrl: Type.String() });
const RecoveryCodesSchema = Type.Object({ recoveryCodes: Type.Array(Type.String()) });

function startSession(context: RouteContext, user: PublicUser, tokens: SessionTokens): { status: number; body: unknown } {
  setSessionCookies(context.res, tokens, Date.now());
  return {
    status: 200,
    body: { user, csrfToken: tokens.csrfToken, accessExpiresAt: tokens.accessExpiresAt, refreshExpiresAt: tokens.refreshExpiresAt },
  };
}

/** Login failures: one answer for a wrong username and a wrong password, so neither can be probed. */
function loginFailure(result: Extract<LoginResult, { ok: false }>): ApiError {
  switch (result.reason) {
    case 'locked':
      return new ApiError('account-locked', 'Too many failed sign-ins. Wait and try again later.', result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {});
    case 'two-factor-required':
      return new ApiError('two-factor-required', 'Enter the 6-digit code from your authenticator app (or a recovery code).');
    case 'two-factor-setup-required':
      return new ApiError('two-factor-setup-required', 'An administrator requires two-factor sign-in: set it up with the enrollment token, then sign in again.', {
        details: { enrollmentToken: result.enrollmentToken ?? '' },
      });
    default:
      return new ApiError('login-failed', 'Wrong username or password.');
  }
}

function principalBody(principal: Principal): unknown {
  return { user: principal.user, kind: principal.kind, permissions: principal.permissions };
}

export const authRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/auth/setup',
    permission: 'public',
    tag: 'auth',
    summary: 'Whether the first administrator still has to be created',
    response: { status: 200, description: 'Setup state', schema: Type.Object({ needsSetup: Type.Boolean() }) },
    handler: ({ services }) => ({ body: { needsSetup: services.security.setup.needsSetup() } }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/setup',
    permission: 'public',
    tag: 'auth',
    summary: 'Create the first administrator with the one-time token from the setup link',
    body: StrictObject({ token: Type.String({ minLength: 1, maxLength: 256 }), username: Username, password: Password }),
    response: { status: 201, description: 'The administrator was created; sign in next', schema: Type.Object({ user: PublicUserSchema }) },
    async handler({ body, services }) {
      const user = await services.security.setup.completeSetup(body.token, { username: body.username, password: body.password });
      return { status: 201, body: { user } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/login',
    permission: 'public',
    tag: 'auth',
    summary: 'Sign in; sets the session cookies',
    body: StrictObject({ username: Username, password: Password, totp: Type.Optional(TotpCode), recoveryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }),
    response: { status: 200, description: 'Signed in', schema: SessionSchema },
    async handler(context) {
      const { body, services, sourceIp } = context;
      const result = await services.security.auth.login({ ...body, sourceIp });
      if (!result.ok) throw loginFailure(result);
      return startSession(context, result.user, result.tokens);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/refresh',
    permission: 'public',
    tag: 'auth',
    summary: 'Exchange the refresh cookie for a new session (the old refresh token is spent)',
    response: { status: 200, description: 'New session cookies', schema: SessionSchema },
    async handler(context) {
      const { cookies, req, services, sourceIp } = context;
      const refreshToken = cookies[REFRESH_COOKIE];
      if (!refreshToken) throw new ApiError('unauthenticated', 'No refresh cookie: sign in again.');
      // Double submit: another site can send the cookie but cannot read it to put in the header.
      const header = req.headers[CSRF_HEADER];
      if (!sameSecret(typeof header === 'string' ? header : undefined, cookies[CSRF_COOKIE])) {
        throw new ApiError('csrf-failed', `Refreshing needs the ${CSRF_HEADER} header equal to the ${CSRF_COOKIE} cookie.`);
      }
      const tokens = await services.security.auth.refresh(refreshToken, sourceIp);
      const claims = await services.security.auth.verifyAccessToken(tokens.accessToken);
      const user = services.security.users.get(claims.userId);
      if (!user) throw new ApiError('unauthenticated', 'The account of this session no longer exists.');
      return startSession(context, user, tokens);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/logout',
    permission: 'self',
    sessionOnly: true,
    tag: 'auth',
    summary: 'End this session and clear its cookies',
    response: { status: 204, description: 'Signed out' },
    handler({ principal, services, res }) {
      services.security.auth.logout(requireSession(principal).sessionId);
      clearSessionCookies(res);
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/reauth',
    permission: 'self',
    sessionOnly: true,
    tag: 'auth',
    summary: 'Confirm one\'s password (and two-factor code) to allow trust-changing actions from this session for 5 minutes',
    body: StrictObject({
      password: Password,
      code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A 6-digit authenticator code or a recovery code, when the user has two-factor sign-in' })),
    }),
    response: { status: 200, description: 'This session may take step-up actions until freshUntil', schema: Type.Object({ freshUntil: Type.Number() }) },
    async handler({ body, principal, services, sourceIp }) {
      const session = requireSession(principal);
      const code = body.code?.trim();
      const secondFactor = code === undefined ? {} : /^[0-9]{6}$/.test(code) ? { totp: code } : { recoveryCode: code };
      const result = await services.security.auth.reauthenticate({ sessionId: session.sessionId, password: body.password, sourceIp, ...secondFactor });
      if (result.ok) return { body: { freshUntil: result.freshUntil } };
      if (result.reason === 'locked') {
        throw new ApiError('account-locked', 'Too many failed password confirmations. Wait and try again later.', result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {});
      }
      if (result.reason === 'two-factor-required') throw new ApiError('two-factor-required', 'Also enter the 6-digit code from your authenticator app (or a recovery code) as "code".');
      throw new ApiError('login-failed', 'The password (or two-factor code) is not right.');
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/auth/me',
    permission: 'self',
    tag: 'auth',
    summary: 'The signed-in user (or the API token\'s owner) and the permissions in force',
    response: {
      status: 200,
      description: 'Who is calling',
      schema: Type.Object({ user: PublicUserSchema, kind: Type.Union([Type.Literal('session'), Type.Literal('token')]), permissions: Type.Array(Type.Union(PERMISSIONS.map((p) => Type.Literal(p)))) }),
    },
    handler: ({ principal }) => ({ body: principalBody(requirePrincipal(principal)) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/password',
    permission: 'self',
    sessionOnly: true,
    tag: 'auth',
    summary: 'Change one\'s own password; every session of the user ends',
    body: StrictObject({ currentPassword: Password, newPassword: Password }),
    response: { status: 204, description: 'Changed; sign in again' },
    async handler({ body, principal, services, res }) {
      await services.security.users.changePassword(requireSession(principal).user.id, body.currentPassword, body.newPassword);
      clearSessionCookies(res);
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/2fa/enroll',
    permission: 'self',
    sessionOnly: true,
    tag: 'auth',
    summary: 'Start two-factor enrollment: a secret and its QR code for the authenticator app',
    response: { status: 200, description: 'Scan the QR code, then confirm with a code', schema: EnrollmentSchema },
    handler: async ({ principal, services }) => ({ body: await services.security.twoFactor.beginEnrollment(requireSession(principal).user.id) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/2fa/confirm',
    permission: 'self',
    sessionOnly: true,
    tag: 'auth',
    summary: 'Turn two-factor on with a code from the app; returns 10 recovery codes, shown once',
    body: StrictObject({ code: TotpCode }),
    response: { status: 200, description: 'Two-factor is on', schema: RecoveryCodesSchema },
    handler: async ({ body, principal, services }) => ({ body: await services.security.twoFactor.confirmEnrollment(requireSession(principal).user.id, body.code) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/2fa/disable',
    stepUp: true,
    permission: 'self',
    sessionOnly: true,
    tag: 'auth',
    summary: 'Turn one\'s own two-factor sign-in off',
    response: { status: 204, description: 'Two-factor is off' },
    handler({ principal, services }) {
      const session = requireSession(principal);
      services.security.twoFactor.disable(session.user.id, session.user);
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/2fa/setup/enroll',
    permission: 'public',
    tag: 'auth',
    summary: 'Two-factor enrollment before the first sign-in, when an administrator requires it',
    body: StrictObject({ enrollmentToken: Type.String({ minLength: 1, maxLength: 2048 }) }),
    response: { status: 200, description: 'Scan the QR code, then confirm with a code', schema: EnrollmentSchema },
    async handler({ body, services }) {
      const { userId } = services.security.auth.verifyEnrollmentToken(body.enrollmentToken);
      return { body: await services.security.twoFactor.beginEnrollment(userId) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/2fa/setup/confirm',
    permission: 'public',
    tag: 'auth',
    summary: 'Confirm enrollment with the enrollment token and a code; then sign in with a code',
    body: StrictObject({ enrollmentToken: Type.String({ minLength: 1, maxLength: 2048 }), code: TotpCode }),
    response: { status: 200, description: 'Two-factor is on', schema: RecoveryCodesSchema },
    async handler({ body, services }) {
      const { userId } = services.security.auth.verifyEnrollmentToken(body.enrollmentToken);
      return { body: await services.security.twoFactor.confirmEnrollment(userId, body.code) };
    },
  }),
];
