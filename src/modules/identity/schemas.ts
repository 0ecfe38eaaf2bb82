import { Type } from 'typebox';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from './passwords.ts';
import { CLIENT_GRANTABLE_SCOPES, STAFF_ROLES } from './rbac.ts';

const Email = Type.String({ pattern: '^[^\\s@]+@[^\\s@]+$', maxLength: 254 });
// Length in bytes is checked again when hashing; here only the obvious is refused.
const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_BYTES });
const NewPassword = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_BYTES });
const DisplayName = Type.String({ minLength: 1, maxLength: 200 });

// A TOTP code (6 digits) or a recovery code (xxxxx-xxxxx).
const OneTimeCode = Type.String({ pattern: '^(\\d{6}|[0-9a-fA-F]{5}-?[0-9a-fA-F]{5})$' });

export const LoginBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });
export const PlatformLoginBody = Type.Object({ email: Email, password: Password, otp: Type.Optional(OneTimeCode) }, { additionalProperties: false });
export const CodeBody = Type.Object({ code: OneTimeCode }, { additionalProperties: false });
export const TotpEnrolment = Type.Object({ secret: Type.String(), otpauth_uri: Type.String() });
export const RecoveryCodes = Type.Object({ recovery_codes: Type.Array(Type.String()) });
export const StepUpResponse = Type.Object({ access_token: Type.String(), token_type: Type.Literal('Bearer'), expires_in: Type.Integer() });
export const PasswordResetRequest = Type.Object({ email: Email }, { additionalProperties: false });
export const PasswordResetCompletion = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }), new_password: NewPassword },
  { additionalProperties: false },
);
export const PasswordChange = Type.Object({ current_password: Password, new_password: NewPassword }, { additionalProperties: false });
export const Accepted = Type.Object({ message: Type.String() });
export const StaffIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
export const StaffChange = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
    role: Type.Optional(Type.Union(STAFF_ROLES.map((role) => Type.Literal(role)))),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const RefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  refresh_token: Type.String(),
  scope: Type.String(),
});

export const CustomerRegistration = Type.Object(
  { email: Email, password: NewPassword, display_name: DisplayName },
  { additionalProperties: false },
);

export const StaffInput = Type.Object(
  { email: Email, password: NewPassword, display_name: DisplayName, role: Type.Union(STAFF_ROLES.map((role) => Type.Literal(role))) },
  { additionalProperties: false },
);

export const StaffMember = Type.Object({
  id: Type.String(),
  email: Type.String(),
  display_name: Type.String(),
  role: Type.String(),
  status: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});

export const ApiClientInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(Type.Union(CLIENT_GRANTABLE_SCOPES.map((scope) => Type.Literal(scope))), { minItems: 1, maxItems: 10 }),
  },
  { additionalProperties: false },
);

export const ApiClient = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});

export const ClientIdParams = Type.Object({ clientId: Type.String({ pattern: '^vsc_[A-Za-z0-9_-]{16}$' }) });

export const Me = Type.Object({
  kind: Type.String(),
  subject: Type.String(),
  tenant_id: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  impersonation: Type.Union([
    Type.Object({
      active: Type.Literal(true),
      actor_id: Type.String(),
      reason: Type.String(),
      ticket: Type.Union([Type.String(), Type.Null()]),
      banner: Type.String(),
    }),
    Type.Null(),
  ]),
  /** Platform super-users only: whether a second factor is enrolled, and whether this token was verified with it. */
  second_factor: Type.Union([Type.Object({ enrolled: Type.Boolean(), verified: Type.Boolean() }), Type.Null()]),
});
