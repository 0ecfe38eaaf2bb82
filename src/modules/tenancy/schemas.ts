import { Type } from 'typebox';

const Colour = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'A hex colour, #rrggbb.' });
const NullableString = (options: { maxLength: number; pattern?: string }) => Type.Union([Type.String(options), Type.Null()]);

export const StoreSettingsView = Type.Object({
  tagline: Type.Union([Type.String(), Type.Null()]),
  logo_url: Type.Union([Type.String(), Type.Null()]),
  primary_color: Type.String(),
  accent_color: Type.String(),
});

export const StoreSettingsPatch = Type.Object(
  {
    tagline: Type.Optional(NullableString({ maxLength: 200 })),
    logo_url: Type.Optional(NullableString({ maxLength: 2000, pattern: '^https://' })),
    primary_color: Type.Optional(Colour),
    accent_color: Type.Optional(Colour),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const Domain = Type.Object({
  hostname: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('active')]),
  verification: Type.Object({ type: Type.Literal('TXT'), name: Type.String(), value: Type.String() }),
  verified_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  last_checked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
});

export const DomainInput = Type.Object({ hostname: Type.String({ minLength: 3, maxLength: 253 }) }, { additionalProperties: false });
export const HostnameParams = Type.Object({ hostname: Type.String({ minLength: 3, maxLength: 253, pattern: '^[A-Za-z0-9.-]+$' }) });
